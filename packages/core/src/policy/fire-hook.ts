/**
 * Calls an observer hook so that nothing it does changes a decision: a throw is swallowed, and so
 * is an async hook's rejection, instead of becoming an unhandled rejection.
 *
 * @example fireHook(options.onPayment, { ...payment, at: Date.now() })
 * @internal
 */
export function fireHook<Event>(
  hook: ((event: Event) => void | Promise<void>) | undefined,
  event: Event,
): void {
  if (hook === undefined) return
  try {
    const result: unknown = hook(event)
    if (typeof (result as PromiseLike<void> | undefined)?.then === 'function') {
      ;(result as PromiseLike<void>).then(undefined, () => undefined)
    }
  } catch {
    // A broken hook must never change a payment decision.
  }
}
