import { parseAtomicAmount } from '../amount/parse-atomic-amount.js'
import { bytesToBase64Url } from '../encoding/base64.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'
import { assertIntegerOption } from '../token/assert-integer-option.js'
import { signToken } from '../token/sign-token.js'
import { unixSeconds } from '../token/unix-seconds.js'
import { CHALLENGE_PURPOSE, type ChallengeClaims } from './challenge-payload.js'

/** Options of {@link issueChallenge}. */
export type IssueChallengeOptions = {
  /** Signs with its current key. */
  keyring: Keyring
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
  /** How long the challenge can be answered, in seconds, 1 to 86,400. Default 300. */
  ttlSeconds?: number
  /** Longest token to produce, in characters; match the verifier's `maxLength`. Default 1024. */
  maxLength?: number
}

/**
 * Issues a stateless challenge for the `tx` scheme: an HMAC-signed token binding route, network,
 * asset, recipient and price, with an expiry and a random nonce. The gate sends it in `extra.challenge`
 * and checks it with `verifyChallenge` when the proof comes back, without storing anything.
 *
 * @example
 * const challenge = await issueChallenge(
 *   { route: 'GET /weather/:city', network: 'eip155:8453', asset: usdc, payTo, amount: '10000' },
 *   { keyring },
 * )
 * @throws {TollgateError} `config_invalid` for invalid claims or options or a token longer than `maxLength`;
 * `amount_invalid`, `amount_out_of_range` for an amount that is not canonical atomic units
 */
export async function issueChallenge(
  claims: ChallengeClaims,
  options: IssueChallengeOptions,
): Promise<string> {
  const { keyring, now, ttlSeconds = 300, maxLength = 1024 } = options
  assertIntegerOption('ttlSeconds', ttlSeconds, 1, 86_400)
  assertIntegerOption('maxLength', maxLength, 1, 65_536)
  if (typeof claims !== 'object' || claims === null) {
    throw new TollgateError(
      'config_invalid',
      'Challenge claims must be `{ route, network, asset, payTo, amount }`.',
    )
  }
  for (const name of ['route', 'network', 'asset', 'payTo'] as const) {
    const value = claims[name]
    if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
      throw new TollgateError(
        'config_invalid',
        `Challenge ${name} ${quote(value)} must be 1 to 256 characters.`,
        {
          details: { field: name },
        },
      )
    }
  }
  parseAtomicAmount(claims.amount)
  const iat = unixSeconds(now)
  const token = await signToken(
    {
      v: 1,
      kid: keyring.currentKid,
      rt: claims.route,
      net: claims.network,
      ast: claims.asset,
      to: claims.payTo,
      amt: claims.amount,
      iat,
      exp: iat + ttlSeconds,
      n: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    },
    { keyring, purpose: CHALLENGE_PURPOSE },
  )
  if (token.length > maxLength) {
    throw new TollgateError(
      'config_invalid',
      `The challenge token would have ${token.length} characters, more than the ${maxLength} accepted.`,
      { details: { length: token.length, maxLength } },
    )
  }
  return token
}
