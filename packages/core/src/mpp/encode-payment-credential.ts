import { parseWithSchema } from '../protocol/decode-json-header.js'
import { encodeBase64UrlJson } from './encode-base64url-json.js'
import { mppCredentialSchema } from './schemas.js'
import { type MppCredential, PAYMENT_SCHEME } from './types.js'

/**
 * Writes the `Authorization` field value of a credential: `Payment <base64url canonical JSON>`.
 *
 * @example
 * headers.set('Authorization', encodePaymentCredential({ challenge, payload, source }))
 * @throws {TollgateError} `config_invalid` for a credential missing or breaking a field
 */
export function encodePaymentCredential(credential: MppCredential): string {
  parseWithSchema('MPP credential', credential, mppCredentialSchema, 'config_invalid')
  return `${PAYMENT_SCHEME} ${encodeBase64UrlJson(credential)}`
}
