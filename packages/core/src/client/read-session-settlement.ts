import type { SettleResponse } from '../protocol/types.js'
import { MPP_SCHEME } from './mpp-offer.js'
import type { PaymentSession } from './payment-session.js'
import { readMppReceipt } from './read-mpp-receipt.js'
import { readSettlement } from './read-settlement.js'

/**
 * The settlement a server reported for a session's payment, in the session's protocol: MPP's
 * `Payment-Receipt`, or x402's `PAYMENT-RESPONSE`; undefined when absent or malformed.
 * @example const settle = readSessionSettlement(response, session)
 * @internal
 */
export function readSessionSettlement(
  response: Response,
  session: PaymentSession,
): SettleResponse | undefined {
  const { requirements } = session.candidate
  if (requirements.scheme === MPP_SCHEME) return readMppReceipt(response, requirements.network)
  return readSettlement(response)
}
