import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import { decodeMppChargeRequest } from '../mpp/decode-mpp-charge-request.js'
import { parsePaymentChallenges } from '../mpp/parse-payment-challenges.js'
import { parseRfc3339 } from '../mpp/parse-rfc3339.js'
import { type MppChallenge, mppHeaderNames } from '../mpp/types.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { MPP_SCHEME } from './mpp-offer.js'
import type { SkippedOption } from './pick-candidates.js'

/** The payable MPP challenges of a 402 as offers, and the challenges left out with why. @internal */
export type MppOffers = {
  /** One offer (scheme `mpp`) per EVM `charge` challenge the client can answer with an authorization. */
  accepts: PaymentRequirements[]
  /** Every other `Payment` challenge, with the reason it cannot be paid. */
  skipped: SkippedOption[]
}

/**
 * Reads the `Payment` challenges of a 402's `WWW-Authenticate` as offers the client's policy,
 * ledger and wallets handle like x402 ones: method `evm`, intent `charge`, credential type
 * `authorization` (EIP-3009). `maxTimeoutSeconds` is what remains until the challenge's `expires`
 * at `now` (unix milliseconds), or `fallbackSeconds` when it has none. Nothing here is trusted:
 * decimals and the token's EIP-712 domain come from the client's registry later.
 * @example const { accepts, skipped } = readMppOffers(response, Date.now(), 120)
 * @internal
 */
export function readMppOffers(response: Response, now: number, fallbackSeconds: number): MppOffers {
  const header = response.headers.get(mppHeaderNames.wwwAuthenticate)
  const offers: MppOffers = { accepts: [], skipped: [] }
  if (header === null) return offers
  let challenges: MppChallenge[]
  try {
    const parsed = parsePaymentChallenges([header])
    challenges = parsed.challenges
    for (const error of parsed.invalid) offers.skipped.push({ offer: 'mpp', reason: error.code })
  } catch (error) {
    offers.skipped.push({ offer: 'mpp', reason: toTollgateError(error, 'mpp_challenge_malformed').code })
    return offers
  }
  for (const challenge of challenges) {
    try {
      offers.accepts.push(toOffer(challenge, now, fallbackSeconds))
    } catch (error) {
      offers.skipped.push({
        offer: `mpp:${challenge.method}/${challenge.intent}`,
        reason: toTollgateError(error, 'mpp_challenge_malformed').code,
      })
    }
  }
  return offers
}

function toOffer(challenge: MppChallenge, now: number, fallbackSeconds: number): PaymentRequirements {
  if (challenge.method !== 'evm' || challenge.intent !== 'charge') {
    throw new TollgateError(
      'mpp_method_unsupported',
      `The client pays MPP evm/charge, not ${challenge.method}/${challenge.intent}.`,
    )
  }
  const request = decodeMppChargeRequest(challenge.request)
  const { chainId, credentialTypes, decimals } = request.methodDetails
  // Without the list the server takes transactions and hashes only: no authorization.
  if (!credentialTypes?.includes('authorization')) {
    throw new TollgateError(
      'mpp_method_unsupported',
      'The challenge does not accept an EIP-3009 authorization credential.',
    )
  }
  // An authorization pays one recipient: splits would need a Permit2 batch.
  if (request.methodDetails.splits !== undefined) {
    throw new TollgateError(
      'mpp_method_unsupported',
      'The challenge splits the payment; an authorization cannot.',
    )
  }
  const expires = challenge.expires === undefined ? undefined : parseRfc3339(challenge.expires)
  const seconds = expires === undefined ? fallbackSeconds : Math.floor((expires - now) / 1000)
  return {
    scheme: MPP_SCHEME,
    network: `eip155:${chainId}`,
    asset: request.currency,
    amount: request.amount,
    payTo: request.recipient,
    maxTimeoutSeconds: Math.max(0, seconds),
    extra: { mppChallenge: challenge, ...(decimals === undefined ? {} : { decimals }) },
  }
}
