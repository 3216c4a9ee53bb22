import { bytesToBase64Url } from '../encoding/base64.js'
import { buildPaymentChallenge } from '../mpp/build-payment-challenge.js'
import { encodeBase64UrlJson } from '../mpp/encode-base64url-json.js'
import type { MppChallenge } from '../mpp/types.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import { signMppChallengeId } from './mpp-challenge-id.js'
import { mppOfferRequest } from './mpp-offer-request.js'
import type { Offer } from './offers.js'
import type { GateRequest } from './types.js'

const PRINTABLE = /^[\x20-\x7e]{1,1024}$/

/**
 * The MPP challenges of a 402 (`WWW-Authenticate: Payment …`, method `evm`, intent `charge`): one
 * per `exact` offer MPP can pay, for the same asset, amount and recipient. `realm` is the public
 * origin's host, `expires` the offer's window from now, `opaque` a random value, and `id` an HMAC
 * over the rest and the route (stateless). Empty when MPP is off.
 * @internal
 * @example const challenges = await buildMppChallenges(runtime, route, offers, located)
 */
export async function buildMppChallenges(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: readonly Offer[],
  request: GateRequest,
): Promise<string[]> {
  if (!runtime.protocols.mpp) return []
  const realm = new URL(request.url).host
  const seconds = Math.floor(runtime.now() / 1000)
  const description = route.config.description
  const challenges: string[] = []
  for (const offer of offers) {
    const paymentRequest = mppOfferRequest(offer)
    if (paymentRequest === undefined) continue
    const unsigned: Omit<MppChallenge, 'id'> = {
      realm,
      method: 'evm',
      intent: 'charge',
      request: paymentRequest,
      expires: new Date((seconds + offer.maxTimeoutSeconds) * 1000).toISOString().replace('.000Z', 'Z'),
      ...(description !== undefined && PRINTABLE.test(description) ? { description } : {}),
      // A random value makes every challenge, so every challenge-bound nonce, unique: two
      // challenges of one second would otherwise bind a payer's two payments to one nonce.
      opaque: encodeBase64UrlJson({ n: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))) }),
    }
    const id = await signMppChallengeId(runtime.keyring, unsigned, route.key)
    challenges.push(buildPaymentChallenge({ id, ...unsigned }))
  }
  return challenges
}
