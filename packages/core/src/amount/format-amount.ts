import { quote, TollgateError } from '../errors/tollgate-error.js'
import { assertDecimals } from './assert-decimals.js'
import { MAX_UINT256 } from './constants.js'

/**
 * Formats atomic units as a canonical decimal string of whole units: no exponent, no trailing
 * fraction zeros, no trailing point.
 *
 * @example formatAmount(50_000n, 6) // "0.05"
 * @example formatAmount(1_000_000n, 6) // "1"
 * @throws {TollgateError} `amount_invalid`, `amount_out_of_range`
 */
export function formatAmount(atomic: bigint, decimals: number): string {
  assertDecimals(decimals)
  if (typeof atomic !== 'bigint') {
    throw new TollgateError('amount_invalid', `Atomic amount must be a bigint, got ${typeof atomic}.`)
  }
  if (atomic < 0n || atomic > MAX_UINT256) {
    throw new TollgateError(
      'amount_out_of_range',
      `Atomic amount ${quote(atomic)} is outside 0 to 2^256 - 1.`,
      {
        details: { atomic },
      },
    )
  }
  if (decimals === 0) return atomic.toString()
  const digits = atomic.toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, -decimals)
  const fraction = digits.slice(-decimals).replace(/0+$/, '')
  return fraction.length === 0 ? whole : `${whole}.${fraction}`
}
