import { parseWithSchema } from './decode-json-header.js'
import { paymentRequiredSchema } from './schemas.js'
import type { PaymentRequired } from './types.js'

/**
 * Validates an untrusted `PaymentRequired` that arrived as an object (an MCP tool result, a JSON
 * body) with the same schema the `PAYMENT-REQUIRED` header decoder uses.
 * @example const required = parsePaymentRequired(result.structuredContent)
 * @throws {TollgateError} `invalid_payload`, `invalid_x402_version`
 */
export function parsePaymentRequired(value: unknown): PaymentRequired {
  return parseWithSchema(
    'PaymentRequired',
    value,
    paymentRequiredSchema,
    'invalid_payload',
  ) as PaymentRequired
}
