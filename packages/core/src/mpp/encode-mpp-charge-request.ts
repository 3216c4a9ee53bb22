import { parseWithSchema } from '../protocol/decode-json-header.js'
import { encodeBase64UrlJson } from './encode-base64url-json.js'
import { mppEvmChargeRequestSchema } from './schemas.js'
import type { MppEvmChargeRequest } from './types.js'

/**
 * Encodes the `request` of an EVM `charge` challenge: base64url of its canonical JSON (RFC 8785),
 * so the same price always gives the same string (the challenge id binds that string).
 *
 * @example
 * encodeMppChargeRequest({
 *   amount: '1000', currency: usdc, recipient: payTo,
 *   methodDetails: { chainId: 8453, credentialTypes: ['authorization'], decimals: 6 },
 * })
 * @throws {TollgateError} `config_invalid` for a field that is missing or invalid
 */
export function encodeMppChargeRequest(request: MppEvmChargeRequest): string {
  const valid = parseWithSchema('MPP charge request', request, mppEvmChargeRequestSchema, 'config_invalid')
  return encodeBase64UrlJson(valid)
}
