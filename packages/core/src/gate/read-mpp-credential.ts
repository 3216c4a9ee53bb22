import { quote, TollgateError } from '../errors/tollgate-error.js'
import { decodePaymentCredential } from '../mpp/decode-payment-credential.js'
import { parseEvmAuthorizationPayload } from '../mpp/parse-evm-authorization-payload.js'
import { parseRfc3339 } from '../mpp/parse-rfc3339.js'
import type { MppChallenge } from '../mpp/types.js'
import type { PaymentPayload } from '../protocol/types.js'
import { buildRequirements } from './build-requirements.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import { verifyMppChallengeId } from './mpp-challenge-id.js'
import { mppOfferRequest } from './mpp-offer-request.js'
import type { Offer } from './offers.js'
import type { GateRequest } from './types.js'

/** An MPP credential the gate accepted, as the x402 `exact` payload it carries. @internal */
export type MppPayment = {
  /** The `exact` payload, with `accepted` set to the offer the challenge priced. */
  payload: PaymentPayload
  /** The challenge the credential answers. */
  challenge: MppChallenge
  /** EIP-155 chain id of the offer. */
  chainId: number
}

/**
 * Checks an `Authorization: Payment` credential against this route and translates it into the
 * x402 `exact` payload the gate already verifies, claims and settles: the challenge's method and
 * intent (`evm`, `charge`), its realm (ours), its id (our HMAC for this route), its expiry, its
 * request (a current offer of this route), and the authorization's nonce (bound to the challenge).
 * Recipient, amount, times, signature and balance are left to the `exact` scheme, as for x402.
 * @internal
 * @example const { payload } = await readMppCredential(runtime, route, offers, located, header)
 * @throws {TollgateError} `mpp_credential_malformed`, `mpp_method_unsupported`, `mpp_challenge_invalid`,
 * `mpp_challenge_expired`, `mpp_challenge_mismatch`
 */
export async function readMppCredential(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: readonly Offer[],
  request: GateRequest,
  header: string,
): Promise<MppPayment> {
  const { challenge, payload } = decodePaymentCredential(header, runtime.maxHeaderBytes)
  if (challenge.method !== 'evm' || challenge.intent !== 'charge') {
    throw new TollgateError(
      'mpp_method_unsupported',
      `The payment method ${quote(`${challenge.method}/${challenge.intent}`)} is not accepted; "evm/charge" is.`,
    )
  }
  await checkChallenge(runtime, route, request, challenge)
  const offer = offers.find((candidate) => mppOfferRequest(candidate) === challenge.request)
  if (offer === undefined) {
    throw new TollgateError(
      'mpp_challenge_mismatch',
      'The challenge does not price a current offer of this route (price, asset or recipient changed).',
    )
  }
  const authorization = parseEvmAuthorizationPayload(payload)
  const bound = offer.network.mppChallengeNonce?.(challenge)
  if (bound === undefined || bound.toLowerCase() !== authorization.nonce.toLowerCase()) {
    throw new TollgateError(
      'mpp_challenge_mismatch',
      'The authorization nonce is not bound to this challenge.',
      {
        details: { expected: bound },
      },
    )
  }
  const { type: _type, signature, ...transfer } = authorization
  return {
    payload: {
      x402Version: 2,
      accepted: await buildRequirements(runtime, route, offer),
      payload: { signature, authorization: transfer },
    },
    challenge,
    chainId: Number(offer.network.network.slice('eip155:'.length)),
  }
}

/** The challenge is ours (realm, HMAC id for this route) and not expired. */
async function checkChallenge(
  runtime: GateRuntime,
  route: CompiledRoute,
  request: GateRequest,
  challenge: MppChallenge,
): Promise<void> {
  if (challenge.realm !== new URL(request.url).host) {
    throw new TollgateError(
      'mpp_challenge_invalid',
      `The challenge's realm ${quote(challenge.realm)} is not this gate's.`,
    )
  }
  if (!(await verifyMppChallengeId(runtime.keyring, challenge, route.key))) {
    throw new TollgateError(
      'mpp_challenge_invalid',
      'The challenge was not issued by this gate for this route.',
    )
  }
  const expires = parseRfc3339(challenge.expires)
  if (expires === undefined) {
    throw new TollgateError('mpp_challenge_invalid', 'The challenge has no expiry.')
  }
  if (runtime.now() > expires) {
    throw new TollgateError('mpp_challenge_expired', 'The challenge expired; pay a fresh one.', {
      details: { expires: challenge.expires },
    })
  }
}
