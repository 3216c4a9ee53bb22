import type { SettleResponse } from '../protocol/types.js'
import { MPP_SCHEME } from './mpp-offer.js'
import type { PaymentSession } from './payment-session.js'
import { readMppReceipt } from './read-mpp-receipt.js'
import { readSettlement } from './read-settlement.js'

/**
 * The settlement a server reported for a session's payment, in the session's protocol: MPP's
 * `Payment-Receipt` (with the `extensions`, such as a pass, of a `PAYMENT-RESPONSE` beside it), or
 * x402's `PAYMENT-RESPONSE`; undefined when absent or malformed.
 * @example const settle = readSessionSettlement(response, session)
 * @internal
 */
export function readSessionSettlement(
  response: Response,
  session: PaymentSession,
): SettleResponse | undefined {
  const { requirements } = session.candidate
  if (requirements.scheme !== MPP_SCHEME) return readSettlement(response)
  const receipt = readMppReceipt(response, requirements.network)
  // A Tollgate gate also sends PAYMENT-RESPONSE, whose extensions carry a pass sold with it.
  const extensions = readSettlement(response)?.extensions
  return receipt === undefined || extensions === undefined ? receipt : { ...receipt, extensions }
}
