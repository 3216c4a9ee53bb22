/** One lane per payer and token: settlements of one payer run one at a time, with holds on its balance. @internal */
export type PayerLanes = {
  /** Runs `task` after every earlier task of `key` ended; tasks of other keys run alongside. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>
  /** When the last transaction for `key` was broadcast (milliseconds), or undefined. */
  lastBroadcast(key: string): number | undefined
  /** Notes a broadcast for `key` now. */
  markBroadcast(key: string): void
  /**
   * Atomic units held for `key` at `nowSeconds`, by verified authorizations not settled yet and
   * settlements that may still land (only these with `pendingOnly`), less hold `except`; plus, when
   * `since` is given, what settlements confirmed after {@link PayerLanes.sequence} answered `since`
   * spent (a balance read before then may not show them yet).
   */
  held(key: string, nowSeconds: number, filter?: HeldFilter): bigint
  /** A counter that grows with every spent hold; pass it to `held` as `since` before reading a balance. */
  sequence(): number
  /**
   * Holds `value` for `key` until `untilSeconds` or `release`: `verified` (an authorization between
   * verify and settle, which `abandon` may drop) or `pending` (a settlement that may still land).
   */
  hold(key: string, id: string, value: bigint, untilSeconds: number, stage: 'verified' | 'pending'): void
  /** Drops a hold; `spent` when its transfer landed (counted by `held` calls with an older `since`). */
  release(key: string, id: string, spent?: boolean): void
  /** Drops a hold only while it is `verified` (never one of a settlement that may still land). */
  abandon(key: string, id: string): void
}

/** Which holds {@link PayerLanes.held} counts. @internal */
export type HeldFilter = {
  /** A hold id not to count (the authorization being checked). */
  except?: string
  /** A {@link PayerLanes.sequence} read before the balance: spent holds after it count too. */
  since?: number
  /** Count only holds of settlements that may still land. Default false. */
  pendingOnly?: boolean
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
 * against the chain after the first landed. A verified authorization, and then a settlement left
 * pending, holds its value, counted against the payer's balance by later checks, until it is
 * settled, abandoned, resolved or expires. Holds live in this process only.
 *
 * @example const lanes = createPayerLanes({ now: Date.now, rememberMs: 60_000 })
 * await lanes.run(`${token}:${payer}`, () => settleOne())
 * @internal
 */
export function createPayerLanes(options: CreatePayerLanesOptions): PayerLanes {
  const tails = new Map<string, Promise<unknown>>()
  const broadcasts = new Map<string, number>()
  const holds = new Map<string, Map<string, Hold>>()
  // Values of holds spent by a confirmed transfer, with the sequence number of the spending.
  const spent = new Map<string, { value: bigint; untilSeconds: number; sequence: number }[]>()
  let counter = 0

  const release = (key: string, id: string, wasSpent?: boolean): void => {
    const entries = holds.get(key)
    const entry = entries?.get(id)
    entries?.delete(id)
    if (entries?.size === 0) holds.delete(key)
    if (wasSpent !== true || entry === undefined) return
    counter++
    spent.set(key, [...(spent.get(key) ?? []), { ...entry, sequence: counter }])
  }

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
    held(key, nowSeconds, filter = {}) {
      const { except, since, pendingOnly = false } = filter
      let total = 0n
      const entries = holds.get(key)
      for (const [id, entry] of entries ?? []) {
        if (entry.untilSeconds <= nowSeconds) entries?.delete(id)
        else if (id !== except && (!pendingOnly || entry.stage === 'pending')) total += entry.value
      }
      if (entries?.size === 0) holds.delete(key)
      const spentEntries = (spent.get(key) ?? []).filter((entry) => entry.untilSeconds > nowSeconds)
      if (spentEntries.length === 0) spent.delete(key)
      else spent.set(key, spentEntries)
      if (since === undefined) return total
      for (const entry of spentEntries) if (entry.sequence > since) total += entry.value
      return total
    },
    sequence() {
      return counter
    },
    hold(key, id, value, untilSeconds, stage) {
      const entries = holds.get(key) ?? new Map()
      entries.set(id, { value, untilSeconds, stage })
      holds.set(key, entries)
    },
    release,
    abandon(key, id) {
      if (holds.get(key)?.get(id)?.stage === 'verified') release(key, id)
    },
  }
}

type Hold = { value: bigint; untilSeconds: number; stage: 'verified' | 'pending' }
