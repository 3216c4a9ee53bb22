import { bytesToBase64Url } from '../encoding/base64.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'

const encoder = new TextEncoder()

/** A token payload: any JSON object that names the key that signed it. @internal */
export type TokenPayload = { readonly kid: string } & Readonly<Record<string, unknown>>

/** Options of {@link signToken}. @internal */
export type SignTokenOptions = {
  /** Signs with its current key; `payload.kid` must be `keyring.currentKid`. */
  keyring: Keyring
  /** Sub-key label, such as `pass` or `challenge`; a token only opens under the same purpose. */
  purpose: string
}

/**
 * Signs a payload as `base64url(UTF-8 JSON) "." base64url(HMAC-SHA256(purpose key, payload part))`.
 *
 * @example
 * const token = await signToken({ v: 1, kid: keyring.currentKid, sub: '0xabc' }, { keyring, purpose: 'pass' })
 * @throws {TollgateError} `config_invalid` when `payload.kid` is not the keyring's current kid
 * @internal
 */
export async function signToken(payload: TokenPayload, options: SignTokenOptions): Promise<string> {
  const { keyring, purpose } = options
  if (payload.kid !== keyring.currentKid) {
    throw new TollgateError(
      'config_invalid',
      `A ${purpose} token must name the signing key ${quote(keyring.currentKid)}, not ${quote(payload.kid)}.`,
    )
  }
  const body = bytesToBase64Url(encoder.encode(JSON.stringify(payload)))
  const mac = await keyring.sign(purpose, encoder.encode(body))
  return `${body}.${bytesToBase64Url(mac)}`
}
