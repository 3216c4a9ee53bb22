import { type DecodeHeaderOptions, decodeJsonHeader } from './decode-json-header.js'
import { encodeJsonHeader } from './encode-json-header.js'
import { paymentPayloadSchema, paymentPayloadV1Schema } from './schemas.js'
import type { PaymentPayload, PaymentPayloadV1 } from './types.js'

/**
 * Encodes the `PAYMENT-SIGNATURE` header value: base64 of the JSON `PaymentPayload`.
 * @example headers.set('PAYMENT-SIGNATURE', encodePaymentSignatureHeader(payload))
 */
export function encodePaymentSignatureHeader(value: PaymentPayload): string {
  return encodeJsonHeader(value)
}

/**
 * Decodes and validates an untrusted `PAYMENT-SIGNATURE` header value.
 * @example const payload = decodePaymentSignatureHeader(request.headers.get('PAYMENT-SIGNATURE')!)
 * @throws {TollgateError} `header_too_large`, `header_malformed`, `invalid_payload`, `invalid_x402_version`
 */
export function decodePaymentSignatureHeader(
  value: string,
  options: DecodeHeaderOptions = {},
): PaymentPayload {
  return decodeJsonHeader('PAYMENT-SIGNATURE', value, paymentPayloadSchema, options) as PaymentPayload
}

/**
 * Encodes an x402 v1 `X-PAYMENT` header value.
 * @example headers.set('X-PAYMENT', encodeXPaymentHeader({ x402Version: 1, scheme: 'exact', network: 'base', payload }))
 */
export function encodeXPaymentHeader(value: PaymentPayloadV1): string {
  return encodeJsonHeader(value)
}

/**
 * Decodes and validates an untrusted x402 v1 `X-PAYMENT` header value.
 * @throws {TollgateError} `header_too_large`, `header_malformed`, `invalid_payload`, `invalid_x402_version`
 */
export function decodeXPaymentHeader(value: string, options: DecodeHeaderOptions = {}): PaymentPayloadV1 {
  return decodeJsonHeader('X-PAYMENT', value, paymentPayloadV1Schema, options) as PaymentPayloadV1
}
