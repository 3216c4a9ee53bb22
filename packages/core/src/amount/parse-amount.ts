import { quote, TollgateError } from '../errors/tollgate-error.js'
import { assertDecimals } from './assert-decimals.js'
import { MAX_AMOUNT_LENGTH, MAX_UINT256 } from './constants.js'

// ASCII digits only: `\d` never matches other scripts' digits in JavaScript.
const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/**
 * Parses a non-negative decimal amount of whole units into atomic units. Throws instead of rounding.
 *
 * Accepts a plain decimal string (`"0.05"`, `"12"`) or a JavaScript number that is a safe integer.
 * Rejects exponent notation, signs, blanks, non-ASCII digits, fractional numbers (use a string),
 * more fraction digits than the asset has, and values above 2^256 - 1.
 *
 * @example parseAmount('0.05', 6) // 50_000n
 * @example parseAmount('1.5', 18) // 1_500_000_000_000_000_000n
 * @throws {TollgateError} `amount_invalid`, `amount_precision_exceeded`, `amount_out_of_range`
 */
export function parseAmount(value: string | number, decimals: number): bigint {
  assertDecimals(decimals)
  const text = amountText(value)
  const match = DECIMAL.exec(text)
  if (match === null) {
    throw new TollgateError(
      'amount_invalid',
      `Amount ${quote(value)} is not a plain decimal number such as "0.05": no sign, exponent or blanks.`,
      { details: { value: String(value).slice(0, 80) } },
    )
  }
  const whole = match[1] ?? '0'
  // Trailing zeros add no precision: "1.50" on a 1-decimal asset is exactly 15.
  const fraction = (match[2] ?? '').replace(/0+$/, '')
  if (fraction.length > decimals) {
    throw new TollgateError(
      'amount_precision_exceeded',
      `Amount ${quote(text)} has ${fraction.length} fraction digits but the asset has only ${decimals}; it would have to be rounded.`,
      { details: { value: text, decimals } },
    )
  }
  const atomic = BigInt(whole + fraction.padEnd(decimals, '0'))
  if (atomic > MAX_UINT256) {
    throw new TollgateError(
      'amount_out_of_range',
      `Amount ${quote(text)} is larger than 2^256 - 1 atomic units.`,
      {
        details: { value: text, decimals },
      },
    )
  }
  return atomic
}

function amountText(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TollgateError(
        'amount_invalid',
        `Amount ${quote(value)} is not a non-negative safe integer; pass fractional amounts as strings such as "0.05".`,
        { details: { value: String(value) } },
      )
    }
    return String(value)
  }
  if (typeof value !== 'string') {
    throw new TollgateError(
      'amount_invalid',
      `Amount must be a string or a safe integer, got ${typeof value}.`,
    )
  }
  if (value.length === 0 || value.length > MAX_AMOUNT_LENGTH) {
    throw new TollgateError(
      'amount_invalid',
      `Amount must have 1 to ${MAX_AMOUNT_LENGTH} characters, got ${value.length}.`,
      {
        details: { length: value.length },
      },
    )
  }
  return value
}
