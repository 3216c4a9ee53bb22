/**
 * A signal aborted as soon as one of `signals` is, with its reason: `AbortSignal.any` where the
 * runtime has it, else the same built from an `AbortController` (some edge runtimes and Node
 * before 20.3 lack `AbortSignal.any`).
 *
 * @internal
 * @example const signal = anySignal([AbortSignal.timeout(5_000), request.signal])
 */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals as AbortSignal[])
  const controller = new AbortController()
  const aborted = signals.find((signal) => signal.aborted)
  if (aborted !== undefined) {
    controller.abort(aborted.reason)
    return controller.signal
  }
  const onAbort = (event: Event) => {
    for (const signal of signals) signal.removeEventListener('abort', onAbort)
    controller.abort((event.target as AbortSignal).reason)
  }
  for (const signal of signals) signal.addEventListener('abort', onAbort)
  return controller.signal
}
