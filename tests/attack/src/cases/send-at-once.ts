import type { RawRequest, RawResponse } from '../raw-http.js'
import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'

/**
 * Sends `count` copies of a request at once, alternating between `merchants`.
 *
 * @example const answers = await sendAtOnce(context, [context.a, context.b], 24, paidRequest(SEARCH, header))
 */
export function sendAtOnce(
  context: CaseContext,
  merchants: Merchant[],
  count: number,
  request: RawRequest,
): Promise<RawResponse[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) => context.send(merchants[index % merchants.length]!, request)),
  )
}
