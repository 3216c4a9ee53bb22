import type { RawRequest, RawResponse } from '../raw-http.js'
import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'
import { settledAnswer } from './settled-answer.js'

/**
 * Replays a served request on `merchant` until the gate answers something other than
 * `409 payment_in_progress`: the proof's claim was committed (spent) after its response. Returns
 * that answer, which is a `402 payment_already_used` or a replay of the kept response (marked
 * `Payment-Replay: true`, the handler not run again) when all is well.
 *
 * @example await spentAnswer(context, context.b, paidRequest(SEARCH, header)); await world.restart(0)
 * @throws {Error} when the replay was served anew (not marked as a replay): the payment was sold twice
 */
export async function spentAnswer(
  context: CaseContext,
  merchant: Merchant,
  request: RawRequest,
): Promise<RawResponse> {
  const answer = await settledAnswer(context, merchant, request)
  if (answer.status < 300 && answer.headers['payment-replay'] !== 'true')
    throw new Error(`the replay was served: ${answer.status}`)
  return answer
}
