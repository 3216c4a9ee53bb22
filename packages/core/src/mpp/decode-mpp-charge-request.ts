import type { TollgateErrorCode } from '../errors/error-codes.js'
import { parseWithSchema } from '../protocol/decode-json-header.js'
import { decodeBase64UrlJson } from './decode-base64url-json.js'
import { mppEvmChargeRequestSchema } from './schemas.js'
import type { MppEvmChargeRequest } from './types.js'

/**
 * Decodes and validates the untrusted `request` of an EVM `charge` challenge (at most 4096
 * characters). Unknown fields are dropped, as the draft asks.
 *
 * @example decodeMppChargeRequest(challenge.request).amount // '1000'
 * @throws {TollgateError} `mpp_challenge_malformed` (or `code`) for a request that is not base64url
 * JSON or misses or breaks a field
 */
export function decodeMppChargeRequest(
  request: unknown,
  code: TollgateErrorCode = 'mpp_challenge_malformed',
): MppEvmChargeRequest {
  const json = decodeBase64UrlJson('MPP request', request, 4096, code)
  return parseWithSchema('MPP charge request', json, mppEvmChargeRequestSchema, code) as MppEvmChargeRequest
}
