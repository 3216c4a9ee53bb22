import { quote, TollgateError } from '../errors/tollgate-error.js'
import { MAX_UINT256 } from './constants.js'

const CANONICAL_INTEGER = /^(0|[1-9]\d{0,77})$/

/**
 * Parses an amount in atomic units as x402 sends it: a canonical non-negative decimal integer
 * string (no sign, no leading zeros, no fraction), at most 2^256 - 1.
 *
 * @example parseAtomicAmount('10000') // 10_000n
 * @throws {TollgateError} `amount_invalid`, `amount_out_of_range`
 */
export function parseAtomicAmount(value: string): bigint {
  if (typeof value !== 'string' || !CANONICAL_INTEGER.test(value)) {
    throw new TollgateError(
      'amount_invalid',
      `Atomic amount ${quote(value)} is not a canonical non-negative integer string.`,
      {
        details: { value: typeof value === 'string' ? value.slice(0, 80) : typeof value },
      },
    )
  }
  const atomic = BigInt(value)
  if (atomic > MAX_UINT256) {
    throw new TollgateError(
      'amount_out_of_range',
      `Atomic amount ${quote(value)} is larger than 2^256 - 1.`,
      {
        details: { value },
      },
    )
  }
  return atomic
}
