import { issueChallenge } from '../challenge/issue-challenge.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { challengeClaims } from './challenge-claims.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import type { Offer } from './offers.js'

/**
 * Turns one offer into x402 requirements; a `tx` offer gets a fresh signed challenge.
 * @internal
 */
export async function buildRequirements(
  runtime: GateRuntime,
  route: CompiledRoute,
  offer: Offer,
): Promise<PaymentRequirements> {
  const extra: Record<string, unknown> = { ...offer.extra }
  if (offer.scheme === 'tx') {
    extra.challenge = await issueChallenge(challengeClaims(route.key, offer), {
      keyring: runtime.keyring,
      now: runtime.now,
      ttlSeconds: offer.maxTimeoutSeconds,
    })
    extra.confirmations = offer.confirmations
  }
  return {
    scheme: offer.scheme,
    network: offer.network.network,
    asset: offer.asset.address,
    amount: offer.amount.toString(),
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds,
    extra,
  }
}
