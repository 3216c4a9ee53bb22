import type { AssetInfo } from '../chains/types.js'

/** One payment as the policy accounts for it. @internal */
export type SpendEntry = {
  /** Unix milliseconds it was committed (or reserved, while only reserved). */
  at: number
  /** Network and normalised address, identifying the asset. */
  key: string
  /** The asset, from the policy's registry when `valued`, else as the client described it. */
  asset: AssetInfo
  /** Whether the policy's own registry knows the asset, so limits may value it. */
  valued: boolean
  /** Atomic units. */
  amount: bigint
  /** The payment's value under each budget line, 0n where the line does not apply. */
  values: readonly bigint[]
}

/** A running sum of entries. @internal */
export type SpendTally = {
  /** Entries added and not subtracted. */
  payments: number
  /** Sum of the entries' values per budget line. */
  lines: bigint[]
  /** Sum of atomic units per asset key. */
  assets: Map<string, { asset: AssetInfo; valued: boolean; amount: bigint }>
  add(entry: SpendEntry): void
  subtract(entry: SpendEntry): void
}

/**
 * Creates an empty running sum over `lineCount` budget lines; adding and subtracting are O(lines),
 * so checks never re-scan history.
 *
 * @example const tally = createSpendTally(1); tally.add(entry); tally.lines[0] // entry.values[0]
 * @internal
 */
export function createSpendTally(lineCount: number): SpendTally {
  const tally: SpendTally = {
    payments: 0,
    lines: Array.from({ length: lineCount }, () => 0n),
    assets: new Map(),
    add(entry) {
      tally.payments += 1
      entry.values.forEach((value, index) => {
        tally.lines[index] = (tally.lines[index] ?? 0n) + value
      })
      const current = tally.assets.get(entry.key)
      if (current === undefined) {
        tally.assets.set(entry.key, { asset: entry.asset, valued: entry.valued, amount: entry.amount })
      } else {
        current.amount += entry.amount
      }
    },
    subtract(entry) {
      tally.payments -= 1
      entry.values.forEach((value, index) => {
        tally.lines[index] = (tally.lines[index] ?? 0n) - value
      })
      const current = tally.assets.get(entry.key)
      if (current === undefined) return
      current.amount -= entry.amount
      // Forget assets with nothing left, so the report lists only what counts now.
      if (current.amount === 0n) tally.assets.delete(entry.key)
    },
  }
  return tally
}
