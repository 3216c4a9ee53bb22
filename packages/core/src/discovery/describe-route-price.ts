import { formatAmount } from '../amount/format-amount.js'
import type { CompiledRoute } from '../gate/compile-routes.js'
import type { RoutePrice } from './types.js'

/**
 * The price of one route as a listing shows it: every fixed way to pay (scheme, network, asset,
 * atomic amount and a human display), or `dynamic` with none for a price function.
 * @internal
 */
export function describeRoutePrice(route: CompiledRoute): RoutePrice {
  if (route.staticOffers === undefined) return { route: route.key, dynamic: true, accepts: [] }
  return {
    route: route.key,
    dynamic: false,
    accepts: route.staticOffers.map((offer) => ({
      scheme: offer.scheme,
      network: offer.network.network,
      asset: offer.asset.address,
      amount: offer.amount.toString(),
      symbol: offer.asset.symbol,
      decimals: offer.asset.decimals,
      display: `${formatAmount(offer.amount, offer.asset.decimals)} ${offer.asset.symbol}`,
      ...(offer.pass === undefined ? {} : { pass: { ttlSeconds: offer.pass.ttlSeconds } }),
    })),
  }
}
