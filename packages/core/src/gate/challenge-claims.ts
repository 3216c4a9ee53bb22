import type { Offer } from './offers.js'

/**
 * What a `tx` challenge for one offer of one route binds: route pattern, network, asset,
 * recipient and amount.
 * @internal
 */
export function challengeClaims(routeKey: string, offer: Offer) {
  return {
    route: routeKey,
    network: offer.network.network,
    asset: offer.asset.address,
    payTo: offer.payTo,
    amount: offer.amount.toString(),
  }
}
