import { parseAtomicAmount } from '../amount/parse-atomic-amount.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'

/**
 * A price as API owners write it:
 * - `"$0.01"`, `"0.01"`, `"0.01 USD"` or a safe integer number of dollars: US dollars, payable in
 *   any USD-pegged asset, converted with that asset's own decimals;
 * - `"0.3 USDC"`, `"0.001 ETH"`: whole units of the asset with that symbol;
 * - `{ amount: "300000", asset: "0x…", network? }`: atomic units of one exact asset (x402's AssetAmount).
 */
export type Price = string | number | AssetAmountPrice

/** A price in atomic units of one asset. */
export type AssetAmountPrice = {
  /** Atomic units, a canonical decimal integer string. */
  amount: string
  /** Contract address, mint, symbol or `"native"`. */
  asset: string
  /** CAIP-2 network; when absent the price applies on every network that has `asset`. */
  network?: string
}

/** A price after syntax checks, before it is bound to an asset. */
export type ParsedPrice =
  | { kind: 'usd'; value: string }
  | { kind: 'units'; value: string; symbol: string }
  | { kind: 'atomic'; amount: bigint; asset: string; network?: string }

const DECIMAL = '(\\d+(?:\\.\\d+)?)'
const USD = new RegExp(`^(?:\\$${DECIMAL}|${DECIMAL}(?: USD)?)$`)
const UNITS = new RegExp(`^${DECIMAL} ([A-Za-z][A-Za-z0-9.]{0,15})$`)

/**
 * Checks a price's syntax without rounding anything; amounts are converted later, with the
 * decimals of the asset that will be paid.
 *
 * @example parsePrice('$0.01') // { kind: 'usd', value: '0.01' }
 * @example parsePrice('0.3 USDC') // { kind: 'units', value: '0.3', symbol: 'USDC' }
 * @throws {TollgateError} `price_invalid`, `amount_invalid`, `amount_out_of_range`
 */
export function parsePrice(price: Price): ParsedPrice {
  if (typeof price === 'number') {
    if (!Number.isSafeInteger(price) || price < 0) {
      throw new TollgateError(
        'price_invalid',
        `Price ${quote(price)} is not a whole number of dollars; write fractional prices as strings such as "$0.01".`,
        { details: { price: String(price) } },
      )
    }
    return { kind: 'usd', value: String(price) }
  }
  if (typeof price === 'string') {
    if (price.length > 120) {
      throw new TollgateError(
        'price_invalid',
        `Price is ${price.length} characters long; at most 120 are allowed.`,
      )
    }
    const usd = USD.exec(price)
    if (usd) return { kind: 'usd', value: (usd[1] ?? usd[2]) as string }
    const units = UNITS.exec(price)
    if (units && units[2]?.toUpperCase() !== 'USD')
      return { kind: 'units', value: units[1] as string, symbol: units[2] as string }
    throw new TollgateError(
      'price_invalid',
      `Price ${quote(price)} is not "$0.01", "0.01", "0.3 USDC" or { amount, asset }: no exponent, sign or extra blanks.`,
      { details: { price: price.slice(0, 80) } },
    )
  }
  if (
    typeof price === 'object' &&
    price !== null &&
    typeof price.asset === 'string' &&
    price.asset.length > 0
  ) {
    return {
      kind: 'atomic',
      amount: parseAtomicAmount(price.amount),
      asset: price.asset,
      ...(price.network === undefined ? {} : { network: price.network }),
    }
  }
  throw new TollgateError(
    'price_invalid',
    `Price must be a string, a whole number of dollars or { amount, asset }.`,
  )
}
