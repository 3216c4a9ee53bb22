import { parseWithSchema } from './decode-json-header.js'
import { settleResponseSchema } from './schemas.js'
import type { SettleResponse } from './types.js'

/**
 * Validates an untrusted `SettleResponse` that arrived as an object (an MCP tool result's
 * `_meta["x402/payment-response"]`) with the same schema the `PAYMENT-RESPONSE` header decoder uses.
 * @example const settle = parseSettleResponse(result._meta?.['x402/payment-response'])
 * @throws {TollgateError} `invalid_payload`
 */
export function parseSettleResponse(value: unknown): SettleResponse {
  return parseWithSchema('SettleResponse', value, settleResponseSchema, 'invalid_payload') as SettleResponse
}
