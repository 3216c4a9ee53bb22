import { quote, TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'
import { assertIntegerOption } from '../token/assert-integer-option.js'
import { openToken } from '../token/open-token.js'
import { unixSeconds } from '../token/unix-seconds.js'
import {
  CHALLENGE_PURPOSE,
  type ChallengeClaims,
  type ChallengePayload,
  challengeWireSchema,
} from './challenge-payload.js'

const BOUND_FIELDS = ['route', 'network', 'asset', 'payTo', 'amount'] as const

/** Options of {@link verifyChallenge}. */
export type VerifyChallengeOptions = {
  /** Verifies with the key named by the challenge's `kid`: the current or a previous key. */
  keyring: Keyring
  /** When given, every bound field must equal it exactly (callers normalise first). Default: not compared. */
  expected?: ChallengeClaims
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
  /** Tolerated clock difference between issuer and verifier, in seconds, at both ends of the lifetime. Default 30. */
  clockSkewSeconds?: number
  /** Longest token accepted, in characters, checked before any other work. Default 1024. */
  maxLength?: number
}

/**
 * Verifies a challenge issued by `issueChallenge`: its signature, its lifetime and, when `expected` is
 * given, that it was issued for exactly that route, network, asset, recipient and amount.
 *
 * @example
 * const challenge = await verifyChallenge(payload.challenge, { keyring, expected: { route, network, asset, payTo, amount } })
 * @throws {TollgateError} `challenge_malformed`; `challenge_invalid` (bad signature, unknown key, or issued
 * in the future); `challenge_expired`; `challenge_mismatch` (details name the field); `config_invalid`
 */
export async function verifyChallenge(
  token: string,
  options: VerifyChallengeOptions,
): Promise<ChallengePayload> {
  try {
    return await verify(token, options)
  } catch (error) {
    throw toTollgateError(error)
  }
}

async function verify(token: string, options: VerifyChallengeOptions): Promise<ChallengePayload> {
  const { keyring, expected, now, clockSkewSeconds = 30, maxLength = 1024 } = options
  assertIntegerOption('clockSkewSeconds', clockSkewSeconds, 0, 86_400)
  assertIntegerOption('maxLength', maxLength, 1, 65_536)
  const opened = await openToken(token, {
    keyring,
    purpose: CHALLENGE_PURPOSE,
    maxLength,
    // An unknown key is indistinguishable from a forged challenge to the payer, so both are `invalid`.
    errorCodes: {
      malformed: 'challenge_malformed',
      keyUnknown: 'challenge_invalid',
      signatureInvalid: 'challenge_invalid',
    },
  })
  const parsed = challengeWireSchema.safeParse(opened)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue === undefined || issue.path.length === 0 ? 'payload' : issue.path.join('.')
    throw new TollgateError('challenge_malformed', `The challenge payload is invalid at "${field}".`, {
      details: { field },
    })
  }
  const wire = parsed.data
  const challenge: ChallengePayload = {
    kid: wire.kid,
    route: wire.rt,
    network: wire.net,
    asset: wire.ast,
    payTo: wire.to,
    amount: wire.amt,
    issuedAt: wire.iat,
    expiresAt: wire.exp,
    nonce: wire.n,
  }
  const seconds = unixSeconds(now)
  if (challenge.issuedAt > seconds + clockSkewSeconds) {
    throw new TollgateError(
      'challenge_invalid',
      `The challenge claims to be issued at ${challenge.issuedAt}, in the future; it is now ${seconds}.`,
      { details: { issuedAt: challenge.issuedAt, now: seconds } },
    )
  }
  if (challenge.expiresAt <= seconds - clockSkewSeconds) {
    throw new TollgateError(
      'challenge_expired',
      `The challenge expired at ${challenge.expiresAt}; it is now ${seconds}. Request a new price quote.`,
      { details: { expiresAt: challenge.expiresAt, now: seconds } },
    )
  }
  if (expected !== undefined) {
    const fields = BOUND_FIELDS.filter((name) => challenge[name] !== expected[name])
    const field = fields[0]
    if (field !== undefined) {
      throw new TollgateError(
        'challenge_mismatch',
        `The challenge was issued for ${field} ${quote(challenge[field], 128)}, not ${quote(expected[field], 128)}.`,
        { details: { field, fields, expected: expected[field], actual: challenge[field] } },
      )
    }
  }
  return challenge
}
