import type { RawRequest, RawResponse } from '../raw-http.js'
import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'

/**
 * Sends `request` until the answer is neither `409 payment_in_progress` nor `503
 * settlement_pending` (at most 100 tries, following the answer's state, not a clock), as a client
 * honouring those retryable answers does: the answer once an earlier request's claim has settled
 * and its settlement is on chain.
 *
 * @example const replay = await settledAnswer(context, context.a, paidRequest(SEARCH, header))
 */
export async function settledAnswer(
  context: CaseContext,
  merchant: Merchant,
  request: RawRequest,
): Promise<RawResponse> {
  let response = await context.send(merchant, request)
  for (let attempt = 0; attempt < 100 && stillSettling(response); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    response = await context.send(merchant, request)
  }
  return response
}

// The gate says the earlier request's payment is still being claimed or settled: ask again.
function stillSettling(response: RawResponse): boolean {
  if (response.status === 409) return true
  return response.status === 503 && response.body.includes('"settlement_pending"')
}
