import { bytesToBase64Url, utf8ToBytes } from '../encoding/base64.js'
import { canonicalizeJson } from './canonicalize-json.js'

/**
 * base64url (no padding) of the canonical JSON (RFC 8785) of a value: how MPP writes its
 * `request`, `opaque`, credentials and receipts, so equal values always encode alike.
 *
 * @example encodeBase64UrlJson({ amount: '1000' }) // 'eyJhbW91bnQiOiIxMDAwIn0'
 * @throws {TollgateError} `config_invalid` for a value JSON cannot hold
 */
export function encodeBase64UrlJson(value: unknown): string {
  return bytesToBase64Url(utf8ToBytes(canonicalizeJson(value)))
}
