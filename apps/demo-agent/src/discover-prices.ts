import { type PaidEndpoint, readPaymentRequired } from '@tollgate/core'
import { routeOf } from './route-of.js'

/** A route's price as its 402 answer quotes it. */
export type DiscoveredPrice = {
  /** Such as `"GET /api/search"`. */
  route: string
  /** Atomic units of `asset`. */
  amount: bigint
  /** Token address. */
  asset: string
  /** CAIP-2 network. */
  network: string
  /** The schemes offered, such as `["exact", "tx"]`. */
  schemes: string[]
  /** What the route sells, from `resource.description`. */
  description: string
}

/**
 * Asks each route once without paying and reads the price from its `402 Payment Required`
 * answer (the `PAYMENT-REQUIRED` header, x402 v2): what an agent sees before it decides to pay.
 *
 * @example const prices = await discoverPrices(demoTools(api.url))
 * @throws {Error} when a route does not answer 402
 */
export async function discoverPrices(
  definitions: readonly PaidEndpoint[],
  signal?: AbortSignal,
): Promise<DiscoveredPrice[]> {
  const prices: DiscoveredPrice[] = []
  for (const definition of definitions) {
    const method = definition.method ?? 'GET'
    const response = await fetch(definition.endpoint, {
      method,
      ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      ...(signal === undefined ? {} : { signal }),
    })
    if (response.status !== 402) {
      throw new Error(`${routeOf(definitions, definition.name)} answered ${response.status}, not 402.`)
    }
    const { paymentRequired } = await readPaymentRequired(response)
    const offer = paymentRequired.accepts[0]
    if (offer === undefined) throw new Error(`${routeOf(definitions, definition.name)} offers no way to pay.`)
    prices.push({
      route: routeOf(definitions, definition.name),
      amount: BigInt(offer.amount),
      asset: offer.asset,
      network: offer.network,
      schemes: [...new Set(paymentRequired.accepts.map((entry) => entry.scheme))],
      description: paymentRequired.resource.description ?? '',
    })
  }
  return prices
}
