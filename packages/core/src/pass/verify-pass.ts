import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'
import { assertIntegerOption } from '../token/assert-integer-option.js'
import { openToken } from '../token/open-token.js'
import { unixSeconds } from '../token/unix-seconds.js'
import { assertPassUsable } from './assert-pass-usable.js'
import type { PassRequest } from './find-scope-mismatch.js'
import { PASS_PURPOSE, type PassPayload, passPayloadSchema } from './pass-payload.js'

/** Options of {@link verifyPass}. */
export type VerifyPassOptions = {
  /** Verifies with the key named by the pass's `kid`: the current or a previous key. */
  keyring: Keyring
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
  /** Tolerated clock difference between issuer and verifier, in seconds, at both ends of the lifetime. Default 30. */
  clockSkewSeconds?: number
  /** Longest token accepted, in characters, checked before any other work. Default 2048. */
  maxLength?: number
  /** When given, the pass must cover this request's method, path and origin. Default: scope not checked. */
  request?: PassRequest
}

/**
 * Verifies a pass token with one HMAC and no I/O: its signature, its lifetime and, when a request is
 * given, that its scope covers the request. Revocation and use counts are the Store's job.
 *
 * @example
 * const pass = await verifyPass(token, { keyring, request: { method: request.method, url: request.url } })
 * @throws {TollgateError} `pass_malformed`, `pass_key_unknown`, `pass_signature_invalid`, `pass_expired`,
 * `pass_not_yet_valid`, `pass_scope_mismatch`; `config_invalid` for invalid options
 */
export async function verifyPass(token: string, options: VerifyPassOptions): Promise<PassPayload> {
  try {
    return await verify(token, options)
  } catch (error) {
    throw toTollgateError(error)
  }
}

async function verify(token: string, options: VerifyPassOptions): Promise<PassPayload> {
  const { keyring, now, clockSkewSeconds = 30, maxLength = 2048, request } = options
  assertIntegerOption('clockSkewSeconds', clockSkewSeconds, 0, 86_400)
  assertIntegerOption('maxLength', maxLength, 1, 65_536)
  const opened = await openToken(token, {
    keyring,
    purpose: PASS_PURPOSE,
    maxLength,
    errorCodes: {
      malformed: 'pass_malformed',
      keyUnknown: 'pass_key_unknown',
      signatureInvalid: 'pass_signature_invalid',
    },
  })
  const parsed = passPayloadSchema.safeParse(opened)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue === undefined || issue.path.length === 0 ? 'payload' : issue.path.join('.')
    throw new TollgateError('pass_malformed', `The pass payload is invalid at "${field}".`, {
      details: { field },
    })
  }
  const pass: PassPayload = parsed.data
  assertPassUsable(pass, {
    nowSeconds: unixSeconds(now),
    clockSkewSeconds,
    ...(request === undefined ? {} : { request }),
  })
  return pass
}
