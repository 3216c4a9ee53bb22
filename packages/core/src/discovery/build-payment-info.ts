import { formatAmount } from '../amount/format-amount.js'
import type { CompiledRoute } from '../gate/compile-routes.js'
import type { Offer, OfferContext } from '../gate/offers.js'
import type { PaymentInfoOffer } from './types.js'

/**
 * MPP discovery's `x-payment-info` of one route, in its multi-offer form: one `charge` offer per
 * network and asset (the x402 schemes that accept it named in the description), and for a dynamic
 * price one offer per network with `amount: null`, never a made-up number.
 * @internal
 */
export function buildPaymentInfo(
  route: CompiledRoute,
  context: OfferContext,
): { offers: PaymentInfoOffer[] } {
  if (route.staticOffers === undefined) return { offers: dynamicOffers(route, context) }
  const grouped = new Map<string, { offer: Offer; schemes: string[] }>()
  for (const offer of route.staticOffers) {
    const key = `${offer.network.network}|${offer.asset.address}|${offer.amount}|${offer.pass ? 'pass' : ''}`
    const entry = grouped.get(key)
    if (entry === undefined) grouped.set(key, { offer, schemes: [offer.scheme] })
    else if (!entry.schemes.includes(offer.scheme)) entry.schemes.push(offer.scheme)
  }
  return {
    offers: [...grouped.values()].map(({ offer, schemes }) => ({
      intent: 'charge',
      method: context.registry.chain(offer.network.network).family,
      amount: offer.amount.toString(),
      currency: offer.asset.address,
      description: describeOffer(offer, schemes),
    })),
  }
}

function describeOffer(offer: Offer, schemes: readonly string[]): string {
  const price = `${formatAmount(offer.amount, offer.asset.decimals)} ${offer.asset.symbol}`
  const pass = offer.pass === undefined ? '' : `, buys a pass valid ${offer.pass.ttlSeconds} s`
  return `${price} on ${offer.network.network} (x402 ${schemes.join(', ')})${pass}.`
}

function dynamicOffers(route: CompiledRoute, context: OfferContext): PaymentInfoOffer[] {
  const networks = context.networks.filter(
    (network) => route.config.networks === undefined || route.config.networks.includes(network.network),
  )
  return networks.map((network) => ({
    intent: 'charge',
    method: context.registry.chain(network.network).family,
    amount: null,
    description: `Priced per request on ${network.network}: the 402 carries the amount.`,
  }))
}
