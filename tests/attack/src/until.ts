/**
 * Resolves once `predicate` holds, checking every 10 ms: waits for a state the suite cannot be
 * told about by an event (a count reaching a number), never for a fixed time.
 *
 * @example await until(() => rule.hits + answered >= 8)
 * @throws {Error} when it does not hold within `timeoutMs` (default 15,000)
 */
export async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`a state was not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
