import { headerNames } from '../protocol/headers.js'
import { decodePaymentResponseHeader } from '../protocol/payment-response-header.js'
import type { SettleResponse } from '../protocol/types.js'

/**
 * The settlement response of a paid request (`PAYMENT-RESPONSE`, or v1 `X-PAYMENT-RESPONSE`);
 * undefined when absent or malformed.
 * @example const settle = readSettlement(response)
 * @internal
 */
export function readSettlement(response: Response): SettleResponse | undefined {
  const header =
    response.headers.get(headerNames.paymentResponse) ?? response.headers.get(headerNames.xPaymentResponse)
  if (header === null) return undefined
  try {
    return decodePaymentResponseHeader(header)
  } catch {
    return undefined
  }
}
