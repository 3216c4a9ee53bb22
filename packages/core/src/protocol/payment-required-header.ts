import { type DecodeHeaderOptions, decodeJsonHeader } from './decode-json-header.js'
import { encodeJsonHeader } from './encode-json-header.js'
import { paymentRequiredSchema } from './schemas.js'
import type { PaymentRequired } from './types.js'

/**
 * Encodes the `PAYMENT-REQUIRED` header value: base64 of the JSON `PaymentRequired`.
 * @example response.headers.set('PAYMENT-REQUIRED', encodePaymentRequiredHeader(paymentRequired))
 */
export function encodePaymentRequiredHeader(value: PaymentRequired): string {
  return encodeJsonHeader(value)
}

/**
 * Decodes and validates an untrusted `PAYMENT-REQUIRED` header value.
 * @example const paymentRequired = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
 * @throws {TollgateError} `header_too_large`, `header_malformed`, `invalid_payment_requirements`, `invalid_x402_version`
 */
export function decodePaymentRequiredHeader(
  value: string,
  options: DecodeHeaderOptions = {},
): PaymentRequired {
  return decodeJsonHeader('PAYMENT-REQUIRED', value, paymentRequiredSchema, {
    ...options,
    invalidCode: 'invalid_payment_requirements',
  }) as PaymentRequired
}
