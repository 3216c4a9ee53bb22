import { type DecodeHeaderOptions, decodeJsonHeader } from './decode-json-header.js'
import { encodeJsonHeader } from './encode-json-header.js'
import { settleResponseSchema } from './schemas.js'
import type { SettleResponse } from './types.js'

/**
 * Encodes the `PAYMENT-RESPONSE` header value: base64 of the JSON `SettleResponse`.
 * @example headers.set('PAYMENT-RESPONSE', encodePaymentResponseHeader({ success: true, transaction, network }))
 */
export function encodePaymentResponseHeader(value: SettleResponse): string {
  return encodeJsonHeader(value)
}

/**
 * Decodes and validates an untrusted `PAYMENT-RESPONSE` (or v1 `X-PAYMENT-RESPONSE`) header value.
 * @throws {TollgateError} `header_too_large`, `header_malformed`, `invalid_payload`
 */
export function decodePaymentResponseHeader(
  value: string,
  options: DecodeHeaderOptions = {},
): SettleResponse {
  return decodeJsonHeader('PAYMENT-RESPONSE', value, settleResponseSchema, options) as SettleResponse
}
