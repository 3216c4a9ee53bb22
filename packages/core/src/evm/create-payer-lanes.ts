/** One lane per payer and token: settlements of one payer run one at a time, with holds on its balance. @internal */
export type PayerLanes = {
  /** Runs `task` after every earlier task of `key` ended; tasks of other keys run alongside. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>
  /** When the last transaction for `key` was broadcast (milliseconds), or undefined. */
  lastBroadcast(key: string): number | undefined
  /** Notes a broadcast for `key` now. */
  markBroadcast(key: string): void
  /** Atomic units held for `key` by settlements that may still land, at `nowSeconds`, less hold `except`. */
  held(key: string, nowSeconds: number, except?: string): bigint
  /** Holds `value` for `key` until `untilSeconds` (the authorization's `validBefore`) or `release`. */
  hold(key: string, id: string, value: bigint, untilSeconds: number): void
  /** Drops a hold. */
  release(key: string, id: string): void
}

/** Options of {@link createPayerLanes}. @internal */
export type CreatePayerLanesOptions = {
  /** Clock in milliseconds. */
  now: () => number
  /** Milliseconds a broadcast time is remembered (past it, nothing compares against it). */
  rememberMs: number
}

/**
 * Creates payer lanes. A settlement runs in its payer's lane from its last check to its receipt,
 * so two authorizations of one payer are never both broadcast on one balance: the second is checked
 * against the chain after the first landed. A settlement left pending holds its value, counted
 * against the payer's balance by later checks, until it is resolved or expires.
 *
 * @example const lanes = createPayerLanes({ now: Date.now, rememberMs: 60_000 })
 * await lanes.run(`${token}:${payer}`, () => settleOne())
 * @internal
 */
export function createPayerLanes(options: CreatePayerLanesOptions): PayerLanes {
  const tails = new Map<string, Promise<unknown>>()
  const broadcasts = new Map<string, number>()
  const holds = new Map<string, Map<string, { value: bigint; untilSeconds: number }>>()

  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve()
      const run = previous.then(task, task)
      const tail = run.then(
        () => {},
        () => {},
      )
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return run
    },
    lastBroadcast(key) {
      return broadcasts.get(key)
    },
    markBroadcast(key) {
      const at = options.now()
      broadcasts.delete(key)
      broadcasts.set(key, at)
      // Insertion order is time order: forget the ones nothing can compare against any more.
      for (const [oldKey, oldAt] of broadcasts) {
        if (at - oldAt < options.rememberMs) break
        broadcasts.delete(oldKey)
      }
    },
    held(key, nowSeconds, except) {
      const entries = holds.get(key)
      if (entries === undefined) return 0n
      let total = 0n
      for (const [id, entry] of entries) {
        if (entry.untilSeconds <= nowSeconds) entries.delete(id)
        else if (id !== except) total += entry.value
      }
      if (entries.size === 0) holds.delete(key)
      return total
    },
    hold(key, id, value, untilSeconds) {
      const entries = holds.get(key) ?? new Map()
      entries.set(id, { value, untilSeconds })
      holds.set(key, entries)
    },
    release(key, id) {
      const entries = holds.get(key)
      entries?.delete(id)
      if (entries?.size === 0) holds.delete(key)
    },
  }
}
