import { base64UrlToBytes, bytesToUtf8 } from '../encoding/base64.js'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'

const MAC_BYTES = 32
const encoder = new TextEncoder()

/** The error codes {@link openToken} throws, chosen by the caller so errors name the right kind of token. @internal */
export type OpenTokenErrorCodes = {
  /** Not a well-formed token: length, separator, base64url, MAC length, JSON or `kid` type. */
  malformed: TollgateErrorCode
  /** `kid` names no key of the keyring (never signed here, or rotated out). */
  keyUnknown: TollgateErrorCode
  /** The MAC does not verify. */
  signatureInvalid: TollgateErrorCode
}

/** Options of {@link openToken}. @internal */
export type OpenTokenOptions = {
  /** Verifies with the key named by the payload's `kid`. */
  keyring: Keyring
  /** Sub-key label the token was signed for, such as `pass` or `challenge`. */
  purpose: string
  /** Longest token accepted, in characters, checked before any other work. Default 4096. */
  maxLength?: number
  /** Codes of the errors thrown. */
  errorCodes: OpenTokenErrorCodes
}

/** The payload of an opened token: authentic, but not yet validated against a schema. @internal */
export type OpenTokenResult = { readonly kid: string } & Readonly<Record<string, unknown>>

/**
 * Checks a token made by `signToken` and returns its parsed payload. Every check is bounded: the
 * length first, then the shape, then one constant-time HMAC verification.
 *
 * @example
 * const payload = await openToken(token, { keyring, purpose: 'pass', errorCodes: { malformed: 'pass_malformed',
 *   keyUnknown: 'pass_key_unknown', signatureInvalid: 'pass_signature_invalid' } })
 * @throws {TollgateError} `errorCodes.malformed`, `errorCodes.keyUnknown`, `errorCodes.signatureInvalid`
 * @internal
 */
export async function openToken(token: string, options: OpenTokenOptions): Promise<OpenTokenResult> {
  const { keyring, purpose, errorCodes, maxLength = 4096 } = options
  const malformed = (reason: string, details?: Record<string, unknown>) =>
    new TollgateError(
      errorCodes.malformed,
      `The ${purpose} token is malformed: ${reason}.`,
      details === undefined ? {} : { details },
    )
  if (typeof token !== 'string') throw malformed(`expected a string, got ${typeof token}`)
  if (token.length === 0 || token.length > maxLength) {
    throw malformed(`it has ${token.length} characters, expected 1 to ${maxLength}`, {
      length: token.length,
      maxLength,
    })
  }
  const parts = token.split('.')
  if (parts.length !== 2) throw malformed('expected two base64url parts separated by one "."')
  const [body, signature] = parts as [string, string]
  const payloadBytes = base64UrlToBytes(body)
  const mac = base64UrlToBytes(signature)
  if (payloadBytes === undefined || mac === undefined) throw malformed('a part is not canonical base64url')
  if (mac.length !== MAC_BYTES) throw malformed(`the MAC has ${mac.length} bytes, expected ${MAC_BYTES}`)
  const payload = parseObject(payloadBytes)
  if (payload === undefined) throw malformed('the payload is not a UTF-8 JSON object')
  const kid = payload.kid
  if (typeof kid !== 'string') throw malformed('the payload has no string "kid"')
  if (!keyring.has(kid)) {
    throw new TollgateError(
      errorCodes.keyUnknown,
      `The ${purpose} token was signed by key ${quote(kid, 32)}, which this keyring does not hold.`,
      { details: { kid: kid.slice(0, 32) } },
    )
  }
  // The MAC covers the ASCII of the base64url part, so the JSON is never re-serialised to check it.
  if (!(await keyring.verify(purpose, kid, encoder.encode(body), mac))) {
    throw new TollgateError(
      errorCodes.signatureInvalid,
      `The ${purpose} token's signature does not verify.`,
      {
        details: { kid },
      },
    )
  }
  return payload as OpenTokenResult
}

function parseObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  const text = bytesToUtf8(bytes)
  if (text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
