import type { GateHooks } from './types.js'

/**
 * Calls one gate hook, the only place hooks are called. A hook that throws, or an async hook whose
 * promise rejects, never changes a payment decision and never becomes an unhandled rejection.
 * @internal
 */
export function callHook<Name extends keyof GateHooks>(
  hooks: GateHooks,
  name: Name,
  event: Parameters<NonNullable<GateHooks[Name]>>[0],
): void {
  const hook = hooks[name] as ((value: typeof event) => unknown) | undefined
  if (hook === undefined) return
  try {
    const result = hook.call(hooks, event)
    if (isPromiseLike(result)) result.then(undefined, () => {})
  } catch {
    // A broken metrics sink must never change a payment decision.
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  )
}
