import type { LedgerLimit, LedgerSpend, LedgerUsage } from './types.js'

/**
 * How much of one line `spends` use at `now`: reserved spends always, committed ones within the
 * line's window. With `adding`, also when enough committed spend will have left the window for
 * that much more to fit (`retryAt`). Every backend judges limits with this one function.
 *
 * @example measureUsage(spends, { line: 'usd:18', limit: 5n * 10n ** 18n }, Date.now())
 */
export function measureUsage(
  spends: Iterable<LedgerSpend>,
  limit: LedgerLimit,
  now: number,
  adding?: bigint,
): LedgerUsage {
  let committed = 0n
  let reserved = 0n
  const aging: { at: number; value: bigint }[] = []
  for (const spend of spends) {
    const value = spend.charges.find((charge) => charge.line === limit.line)?.value
    if (value === undefined || spend.status === 'released') continue
    if (spend.status === 'reserved') {
      reserved += value
      continue
    }
    const at = spend.settledAt ?? spend.reservedAt
    if (limit.windowMs !== undefined && at <= now - limit.windowMs) continue
    committed += value
    if (limit.windowMs !== undefined) aging.push({ at, value })
  }
  const usage: LedgerUsage = { line: limit.line, limit: limit.limit, committed, reserved }
  if (adding === undefined || limit.windowMs === undefined) return usage
  // The oldest commits leave the window first; find the one whose leaving makes room.
  let excess = committed + reserved + adding - limit.limit
  for (const entry of aging.sort((left, right) => left.at - right.at)) {
    if (excess <= 0n) break
    excess -= entry.value
    if (excess <= 0n) return { ...usage, retryAt: entry.at + limit.windowMs }
  }
  return usage
}
