import { base64UrlToBytes, bytesToUtf8 } from '../encoding/base64.js'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { TollgateError } from '../errors/tollgate-error.js'

/**
 * Decodes untrusted base64url (no padding) JSON: the size bound first, then strict base64url,
 * UTF-8 and JSON. Every failure is a TollgateError with `code`, naming `what`.
 *
 * @example decodeBase64UrlJson('request', 'eyJhbW91bnQiOiIxMDAwIn0', 4096, 'mpp_challenge_malformed')
 * // { amount: '1000' }
 * @throws {TollgateError} `code` for text longer than `maxBytes`, not base64url, not UTF-8 or not JSON
 */
export function decodeBase64UrlJson(
  what: string,
  text: unknown,
  maxBytes: number,
  code: TollgateErrorCode,
): unknown {
  if (typeof text !== 'string' || text.length === 0) {
    throw new TollgateError(code, `The ${what} is empty.`, { details: { field: what } })
  }
  if (text.length > maxBytes) {
    throw new TollgateError(
      code,
      `The ${what} has ${text.length} characters; at most ${maxBytes} are accepted.`,
      {
        details: { field: what, length: text.length, maxBytes },
      },
    )
  }
  const bytes = base64UrlToBytes(text)
  const json = bytes === undefined ? undefined : bytesToUtf8(bytes)
  if (json === undefined) {
    throw new TollgateError(code, `The ${what} is not base64url-encoded UTF-8 without padding.`, {
      details: { field: what },
    })
  }
  try {
    return JSON.parse(json) as unknown
  } catch (error) {
    throw new TollgateError(code, `The ${what} does not hold valid JSON.`, {
      cause: error,
      details: { field: what },
    })
  }
}
