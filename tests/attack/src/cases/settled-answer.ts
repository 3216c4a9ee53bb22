import type { RawRequest, RawResponse } from '../raw-http.js'
import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'

/**
 * Sends `request` until the answer is not `409 payment_in_progress` (at most 100 tries, following
 * the answer's state, not a clock): the answer once an earlier request's claim has settled.
 *
 * @example const replay = await settledAnswer(context, context.a, paidRequest(SEARCH, header))
 */
export async function settledAnswer(
  context: CaseContext,
  merchant: Merchant,
  request: RawRequest,
): Promise<RawResponse> {
  let response = await context.send(merchant, request)
  for (let attempt = 0; attempt < 100 && response.status === 409; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    response = await context.send(merchant, request)
  }
  return response
}
