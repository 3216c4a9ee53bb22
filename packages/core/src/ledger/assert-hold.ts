import { TollgateError } from '../errors/tollgate-error.js'
import type { LedgerHold } from './types.js'

/**
 * Throws unless `hold` is a `{ holder, until }` for a payment id.
 *
 * @example assertHold(id, { holder: crypto.randomUUID(), until: Date.now() + 60_000 })
 * @throws {TollgateError} `config_invalid`
 */
export function assertHold(id: string, hold: LedgerHold): void {
  const valid =
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= 128 &&
    typeof hold === 'object' &&
    hold !== null &&
    typeof hold.holder === 'string' &&
    hold.holder.length > 0 &&
    hold.holder.length <= 128 &&
    typeof hold.until === 'number' &&
    Number.isFinite(hold.until)
  if (!valid) {
    throw new TollgateError(
      'config_invalid',
      'A ledger hold needs a payment id and { holder, until } (unix milliseconds).',
    )
  }
}
