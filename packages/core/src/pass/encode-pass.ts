import { bytesToBase64Url } from '../encoding/base64.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'
import { parseRoutePattern } from '../route/parse-route-pattern.js'
import { assertIntegerOption } from '../token/assert-integer-option.js'
import { signToken } from '../token/sign-token.js'
import { unixSeconds } from '../token/unix-seconds.js'
import { isCanonicalOrigin } from './is-canonical-origin.js'
import { MAX_PASS_ROUTES, PASS_PURPOSE, type PassPayload, type PassScope } from './pass-payload.js'

const JTI = /^[A-Za-z0-9._:-]{1,128}$/
const MAX_TTL_SECONDS = 31_536_000

/** What a pass grants, for {@link encodePass}. */
export type EncodePassClaims = {
  /** Who the pass is sold to, usually the payer's address: 1 to 128 characters. */
  sub: string
  /** Routes (1 to 32 route patterns) and optional origin the pass covers. */
  scope: PassScope
  /** Lifetime in seconds, 1 to 31,536,000 (one year). */
  ttlSeconds: number
  /** Number of requests the pass pays for, a positive integer; counted by a Store. Default unlimited. */
  uses?: number
  /** Unique pass id: 1 to 128 characters of `[A-Za-z0-9._:-]`. Default 16 random bytes, base64url. */
  jti?: string
  /** Issued at, unix seconds. Default now. */
  iat?: number
}

/** Options of {@link encodePass}. */
export type EncodePassOptions = {
  /** Signs with its current key. */
  keyring: Keyring
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
  /** Longest token to produce, in characters; match the verifier's `maxLength`. Default 2048. */
  maxLength?: number
}

/** Result of {@link encodePass}. */
export type EncodePassResult = {
  /** The pass token a client sends as `X-Payment-Pass`. */
  token: string
  /** The signed payload. */
  payload: PassPayload
}

/**
 * Issues a pass: an HMAC-signed token that lets its holder call the routes in `scope` until it expires,
 * checked later with one HMAC and no I/O.
 *
 * @example
 * const { token, payload } = await encodePass(
 *   { sub: payer, scope: { routes: ['GET /weather/:city'], origin: 'https://api.example.com' }, ttlSeconds: 3600 },
 *   { keyring },
 * )
 * @throws {TollgateError} `config_invalid` for invalid claims or options, or a token longer than `maxLength`
 */
export async function encodePass(
  claims: EncodePassClaims,
  options: EncodePassOptions,
): Promise<EncodePassResult> {
  const { keyring, now, maxLength = 2048 } = options
  assertIntegerOption('maxLength', maxLength, 1, 65_536)
  if (typeof claims !== 'object' || claims === null) {
    throw new TollgateError('config_invalid', 'Pass claims must be an object `{ sub, scope, ttlSeconds }`.')
  }
  const { sub, ttlSeconds, uses, jti } = claims
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) {
    throw new TollgateError('config_invalid', `Pass subject ${quote(sub)} must be 1 to 128 characters.`)
  }
  const scope = passScope(claims.scope)
  assertIntegerOption('ttlSeconds', ttlSeconds, 1, MAX_TTL_SECONDS)
  if (uses !== undefined) assertIntegerOption('uses', uses, 1, Number.MAX_SAFE_INTEGER)
  if (jti !== undefined && (typeof jti !== 'string' || !JTI.test(jti))) {
    throw new TollgateError(
      'config_invalid',
      `Pass id ${quote(jti)} must be 1 to 128 characters of letters, digits, ".", "_", ":" and "-".`,
    )
  }
  const iat = claims.iat ?? unixSeconds(now)
  assertIntegerOption('iat', iat, 0, Number.MAX_SAFE_INTEGER - ttlSeconds)

  const payload: PassPayload = {
    v: 1,
    kid: keyring.currentKid,
    sub,
    scope,
    iat,
    exp: iat + ttlSeconds,
    jti: jti ?? bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    ...(uses === undefined ? {} : { uses }),
  }
  const token = await signToken(payload, { keyring, purpose: PASS_PURPOSE })
  if (token.length > maxLength) {
    throw new TollgateError(
      'config_invalid',
      `The pass token would have ${token.length} characters, more than the ${maxLength} accepted; use fewer or shorter routes.`,
      { details: { length: token.length, maxLength } },
    )
  }
  return { token, payload }
}

// Copies only the known fields, so the signed scope is exactly what was validated.
function passScope(scope: PassScope): PassScope {
  if (typeof scope !== 'object' || scope === null || !Array.isArray(scope.routes)) {
    throw new TollgateError('config_invalid', 'Pass scope must be `{ routes: string[], origin? }`.')
  }
  const { routes, origin } = scope
  if (routes.length === 0 || routes.length > MAX_PASS_ROUTES) {
    throw new TollgateError(
      'config_invalid',
      `A pass covers 1 to ${MAX_PASS_ROUTES} route patterns, got ${routes.length}.`,
      { details: { routes: routes.length } },
    )
  }
  for (const route of routes) parseRoutePattern(route)
  if (origin === undefined) return { routes: [...routes] }
  if (typeof origin !== 'string' || origin.length > 2048 || !isCanonicalOrigin(origin)) {
    throw new TollgateError(
      'config_invalid',
      `Pass origin ${quote(origin)} must be an origin such as "https://api.example.com", without path or trailing slash.`,
    )
  }
  return { routes: [...routes], origin }
}
