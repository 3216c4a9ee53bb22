import { TollgateError } from '../errors/tollgate-error.js'
import { parseWithSchema } from '../protocol/decode-json-header.js'
import { DEFAULT_MAX_HEADER_BYTES } from '../protocol/headers.js'
import { decodeBase64UrlJson } from './decode-base64url-json.js'
import { hasPaymentScheme } from './has-payment-scheme.js'
import { mppCredentialSchema } from './schemas.js'
import type { MppCredential } from './types.js'

/**
 * Decodes an untrusted `Authorization: Payment <base64url JSON>` field value: the size bound, the
 * scheme, then strict base64url (no padding), UTF-8, JSON and the credential's fields (the echoed
 * challenge's parameters as in a challenge, an object `payload`, an optional `source`).
 *
 * @example const credential = decodePaymentCredential(request.headers.get('Authorization'))
 * @throws {TollgateError} `mpp_credential_malformed` for anything else, including another scheme
 */
export function decodePaymentCredential(value: unknown, maxBytes = DEFAULT_MAX_HEADER_BYTES): MppCredential {
  if (typeof value === 'string' && value.length > maxBytes) {
    throw new TollgateError(
      'mpp_credential_malformed',
      `The Payment credential has ${value.length} characters; at most ${maxBytes} are accepted.`,
      { details: { length: value.length, maxBytes } },
    )
  }
  if (typeof value !== 'string' || !hasPaymentScheme(value)) {
    throw new TollgateError(
      'mpp_credential_malformed',
      'The Authorization header does not use the Payment scheme.',
    )
  }
  const token = value.trim().slice('Payment'.length).trimStart()
  const json = decodeBase64UrlJson('Payment credential', token, maxBytes, 'mpp_credential_malformed')
  return parseWithSchema(
    'Payment credential',
    json,
    mppCredentialSchema,
    'mpp_credential_malformed',
  ) as MppCredential
}
