import type { GateHooks } from '@tollgate/core'

/**
 * Combines several sets of gate hooks into one, called in the order given. Each hook is isolated:
 * one that throws, or returns a promise that rejects, neither stops the hooks after it nor reaches
 * the gate, so a broken logger can never cost you your metrics (or a payment decision).
 *
 * @example
 * import { createGate } from '@tollgate/core'
 * import { composeHooks, createGateMetrics } from '@tollgate/prometheus'
 *
 * const metrics = createGateMetrics()
 * const gate = createGate({
 *   ...options,
 *   hooks: composeHooks(metrics.hooks, { onReject: ({ error, route }) => log.warn({ route, code: error.code }) }),
 * })
 */
export function composeHooks(...hooks: readonly (GateHooks | undefined)[]): GateHooks {
  const present = hooks.filter((hook): hook is GateHooks => hook !== undefined)
  return {
    onPayment: (event) => {
      for (const hook of present) isolate(() => hook.onPayment?.(event))
    },
    onReject: (event) => {
      for (const hook of present) isolate(() => hook.onReject?.(event))
    },
    onVerify: (event) => {
      for (const hook of present) isolate(() => hook.onVerify?.(event))
    },
    onSettle: (event) => {
      for (const hook of present) isolate(() => hook.onSettle?.(event))
    },
  }
}

function isolate(call: () => unknown): void {
  try {
    const result = call()
    // An async hook that rejects would otherwise be an unhandled rejection, which ends the process.
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      ;(result as PromiseLike<unknown>).then(undefined, () => {})
    }
  } catch {
    // A hook's failure is its own: the other hooks and the gate's decision go on.
  }
}
