import type { ClientRuntime } from './client-runtime.js'

/**
 * Finds and takes a reusable payment, one request at a time, so two requests never take the same
 * one; the found payment is marked in flight until its request ends.
 * @example const record = await takeReusable(runtime, () => runtime.ledger.findUnusedTransfer(match))
 * @internal
 */
export function takeReusable<T extends { id: string } | undefined>(
  runtime: ClientRuntime,
  find: () => Promise<T>,
): Promise<T> {
  const run = runtime.reuseQueue.then(async () => {
    const found = await find()
    if (found !== undefined) runtime.inFlight.add(found.id)
    return found
  })
  runtime.reuseQueue = run.catch(() => {})
  return run
}
