import { headerNames } from '../protocol/headers.js'
import { encodePaymentResponseHeader } from '../protocol/payment-response-header.js'
import type { SettleResponse } from '../protocol/types.js'

/**
 * The headers that carry a settlement: `PAYMENT-RESPONSE`.
 * @internal
 */
export function createSettleHeaders(response: SettleResponse): Headers {
  const headers = new Headers()
  headers.set(headerNames.paymentResponse, encodePaymentResponseHeader(response))
  return headers
}
