import type { AssetInfo } from '../chains/types.js'
import type { MppChallenge } from '../mpp/types.js'
import type { PaymentRequirements } from '../protocol/types.js'

/**
 * The scheme name the client gives an MPP `evm`/`charge` challenge among a 402's offers, so the
 * policy, the ledger and the events treat it like any other offer. @internal
 */
export const MPP_SCHEME = 'mpp'

/**
 * The MPP challenge behind an offer read from `WWW-Authenticate` (see `readMppOffers`); undefined
 * for an x402 offer.
 * @example const challenge = mppChallengeOf(candidate.requirements)
 * @internal
 */
export function mppChallengeOf(requirements: PaymentRequirements): MppChallenge | undefined {
  if (requirements.scheme !== MPP_SCHEME) return undefined
  return requirements.extra.mppChallenge as MppChallenge | undefined
}

/**
 * The x402 `exact` requirements a wallet signs for an MPP offer: the same EIP-3009 transfer, with
 * the token's EIP-712 domain from the client's registry (an MPP request does not carry it), or else
 * the one the client read from the token itself (`extra.tokenDomain`, see `readTokenDomains`).
 * Undefined when neither is known.
 * @example const exact = exactForMpp(requirements, asset)
 * @internal
 */
export function exactForMpp(
  requirements: PaymentRequirements,
  asset: AssetInfo,
): PaymentRequirements | undefined {
  const domain = asset.eip712 ?? (requirements.extra.tokenDomain as AssetInfo['eip712'])
  if (domain === undefined) return undefined
  return {
    scheme: 'exact',
    network: requirements.network,
    asset: requirements.asset,
    amount: requirements.amount,
    payTo: requirements.payTo,
    maxTimeoutSeconds: requirements.maxTimeoutSeconds,
    extra: { name: domain.name, version: domain.version },
  }
}
