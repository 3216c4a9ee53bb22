import type { GateRuntime } from './gate-runtime.js'
import type { GateHooks } from './types.js'

/**
 * Calls one gate hook, the only place hooks are called. A hook that throws, or an async hook whose
 * promise rejects, never changes a payment decision and never becomes an unhandled rejection.
 * @internal
 */
export function callHook<Name extends keyof GateHooks>(
  runtime: Pick<GateRuntime, 'hooks' | 'logger'>,
  name: Name,
  event: Parameters<NonNullable<GateHooks[Name]>>[0],
): void {
  const { hooks, logger } = runtime
  const hook = hooks[name] as ((value: typeof event) => unknown) | undefined
  if (hook === undefined) return
  // A broken metrics sink must never change a payment decision, nor crash the process.
  const report = (error: unknown) => {
    try {
      logger.warn(`The gate's ${name} hook failed.`, error)
    } catch {
      // A logger that throws has nowhere left to report to.
    }
  }
  try {
    const result = hook.call(hooks, event)
    if (isPromiseLike(result)) result.then(undefined, report)
  } catch (error) {
    report(error)
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  )
}
