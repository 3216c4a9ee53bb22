import { TollgateError } from '../errors/tollgate-error.js'
import { parseWithSchema } from '../protocol/decode-json-header.js'
import { DEFAULT_MAX_HEADER_BYTES } from '../protocol/headers.js'
import { quoteAuthParam } from './quote-auth-param.js'
import { mppChallengeSchema } from './schemas.js'
import { type MppChallenge, PAYMENT_SCHEME } from './types.js'

const ORDER = [
  'id',
  'realm',
  'method',
  'intent',
  'request',
  'description',
  'digest',
  'expires',
  'opaque',
] as const

/**
 * Writes one `Payment` challenge for a `WWW-Authenticate` field: every parameter a quoted-string,
 * absent optional ones left out. Several challenges go in several fields (or joined with `, `).
 *
 * @example
 * buildPaymentChallenge({ id, realm: 'api.example.com', method: 'evm', intent: 'charge', request, expires })
 * // 'Payment id="…", realm="api.example.com", method="evm", intent="charge", request="…", expires="…"'
 * @throws {TollgateError} `config_invalid` for a missing or invalid parameter, a character that is
 * not printable ASCII, or a challenge longer than 8192 characters
 */
export function buildPaymentChallenge(challenge: MppChallenge): string {
  const valid = parseWithSchema('MPP challenge', challenge, mppChallengeSchema, 'config_invalid')
  const params = ORDER.filter((name) => valid[name] !== undefined).map(
    (name) => `${name}=${quoteAuthParam(valid[name] as string)}`,
  )
  const header = `${PAYMENT_SCHEME} ${params.join(', ')}`
  if (header.length > DEFAULT_MAX_HEADER_BYTES) {
    throw new TollgateError(
      'config_invalid',
      `The Payment challenge would have ${header.length} characters, more than ${DEFAULT_MAX_HEADER_BYTES}.`,
      { details: { length: header.length } },
    )
  }
  return header
}
