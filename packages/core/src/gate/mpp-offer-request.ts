import { encodeMppChargeRequest } from '../mpp/encode-mpp-charge-request.js'
import type { Offer } from './offers.js'

/**
 * The MPP EVM `charge` request of an offer (base64url canonical JSON), or `undefined` when the
 * offer cannot be paid through MPP: only `exact` offers (EIP-3009 assets) on EVM networks that
 * bind challenge nonces.
 * @internal
 * @example const request = mppOfferRequest(offer) // 'eyJhbW91bnQiOiIxMDAwIiwi…'
 */
export function mppOfferRequest(offer: Offer): string | undefined {
  if (offer.scheme !== 'exact' || offer.network.mppChallengeNonce === undefined) return undefined
  const match = /^eip155:([1-9]\d{0,15})$/.exec(offer.network.network)
  if (match === null) return undefined
  return encodeMppChargeRequest({
    amount: offer.amount.toString(),
    currency: offer.asset.address,
    recipient: offer.payTo,
    methodDetails: {
      chainId: Number(match[1]),
      credentialTypes: ['authorization'],
      decimals: offer.asset.decimals,
    },
  })
}
