import { quote, TollgateError } from '../errors/tollgate-error.js'
import { MAX_DECIMALS } from './constants.js'

/** Throws unless `decimals` is an integer in 0..77. @internal */
export function assertDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new TollgateError(
      'amount_invalid',
      `Decimals must be an integer from 0 to ${MAX_DECIMALS}, got ${quote(decimals)}.`,
      {
        details: { decimals },
      },
    )
  }
}
