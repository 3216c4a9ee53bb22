/**
 * Converts an amount between fixed-point scales (`amount / 10^from` whole units to the same value
 * in `10^-to` units). Exact when scaling up; scaling down rounds as asked, so callers choose the
 * direction that can never let spend exceed a limit.
 *
 * @example rescaleAmount(1_000n, 6, 18, 'up') // 1_000_000_000_000_000n
 * @example rescaleAmount(1n, 20, 18, 'up') // 1n
 * @internal
 */
export function rescaleAmount(amount: bigint, from: number, to: number, rounding: 'up' | 'down'): bigint {
  if (from === to) return amount
  if (from < to) return amount * 10n ** BigInt(to - from)
  const divisor = 10n ** BigInt(from - to)
  const quotient = amount / divisor
  return rounding === 'up' && quotient * divisor !== amount ? quotient + 1n : quotient
}
