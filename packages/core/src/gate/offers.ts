import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { sameAddress } from '../chains/same-address.js'
import type { AssetInfo } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { Price } from '../price/parse-price.js'
import { type PriceQuote, quotePrice } from '../price/quote-price.js'
import type { PaymentRequirements } from '../protocol/types.js'
import type { PaymentNetwork } from '../scheme/types.js'
import type { PassOffer } from './types.js'

/**
 * One way to pay for a route: scheme, network, asset and amount, and the pass it buys.
 * @internal
 */
export type Offer = {
  scheme: 'tx' | 'exact'
  network: PaymentNetwork
  asset: AssetInfo
  amount: bigint
  payTo: string
  maxTimeoutSeconds: number
  confirmations: number
  /** Static `extra` fields (EIP-712 domain for `exact`, pass terms). */
  extra: Record<string, unknown>
  /** The pass this offer buys, if any. */
  pass?: PassOffer
}

/** What building offers needs from the gate. @internal */
export type OfferContext = {
  registry: ChainRegistry
  networks: readonly PaymentNetwork[]
  payTo: (network: PaymentNetwork) => string
}

/** What one route asks for, before the price is known. @internal */
export type OfferRoute = {
  key: string
  networks?: readonly string[]
  maxTimeoutSeconds?: number
  confirmations?: number
  pass?: PassOffer
}

/**
 * Expands a price into every way to pay it on the route's networks: per network, each acceptable
 * asset, with `tx` and (for EIP-3009 tokens) `exact`. A pass with its own price adds options.
 * @internal
 */
export function buildOffers(route: OfferRoute, price: Price, context: OfferContext): Offer[] {
  const passFor = route.pass !== undefined && route.pass.price === undefined ? route.pass : undefined
  const offers = offersForPrice(route, price, passFor, context)
  if (route.pass?.price !== undefined)
    offers.push(...offersForPrice(route, route.pass.price, route.pass, context))
  return offers
}

function offersForPrice(
  route: OfferRoute,
  price: Price,
  pass: PassOffer | undefined,
  context: OfferContext,
): Offer[] {
  const networks =
    route.networks === undefined
      ? context.networks
      : context.networks.filter((entry) => route.networks?.includes(entry.network))
  const offers: Offer[] = []
  let lastError: unknown
  for (const network of networks) {
    const quotes = quoteOn(price, network, context)
    if (!Array.isArray(quotes)) {
      lastError = quotes
      continue
    }
    pushNetworkOffers(offers, route, network, quotes, pass, context)
  }
  if (offers.length === 0) {
    throw new TollgateError(
      'config_invalid',
      `Route "${route.key}" has a price no configured network and asset can be paid in.`,
      {
        details: { route: route.key },
        ...(lastError === undefined ? {} : { cause: lastError }),
      },
    )
  }
  return offers
}

/** Quotes `price` on one network; a price in another chain's coin yields the `asset_unknown` error. */
function quoteOn(price: Price, network: PaymentNetwork, context: OfferContext): PriceQuote[] | TollgateError {
  try {
    return quotePrice(price, {
      network: network.network,
      registry: context.registry,
      ...(network.assets === undefined ? {} : { assets: network.assets }),
    })
  } catch (error) {
    // A price in one chain's coin ("0.001 ETH") simply is not payable on the others.
    if (TollgateError.is(error) && error.code === 'asset_unknown') return error
    throw error
  }
}

/** Appends the `exact` and `tx` offers of one network's quotes to `offers`. */
function pushNetworkOffers(
  offers: Offer[],
  route: OfferRoute,
  network: PaymentNetwork,
  quotes: readonly PriceQuote[],
  pass: PassOffer | undefined,
  context: OfferContext,
): void {
  const chain = context.registry.chain(network.network)
  const base = {
    network,
    payTo: context.payTo(network),
    maxTimeoutSeconds: route.maxTimeoutSeconds ?? 300,
    confirmations: route.confirmations ?? network.confirmations ?? chain.confirmations,
    ...(pass === undefined ? {} : { pass }),
  }
  const passExtra =
    pass === undefined
      ? {}
      : { pass: { ttlSeconds: pass.ttlSeconds, scope: [...(pass.scope ?? [route.key])] } }
  for (const { asset, amount } of quotes) {
    if (network.exact !== undefined) {
      const extra = network.exact.extra(asset)
      if (extra !== undefined)
        offers.push({ ...base, scheme: 'exact', asset, amount, extra: { ...extra, ...passExtra } })
    }
    if (network.tx !== undefined) offers.push({ ...base, scheme: 'tx', asset, amount, extra: passExtra })
  }
}

/**
 * Finds the offer a payer's `accepted` requirements refer to. Every field must be what this gate
 * offers now; addresses compare as `sameAddress` does.
 * @internal
 */
export function findOffer(offers: readonly Offer[], accepted: PaymentRequirements): Offer | undefined {
  return offers.find((offer) => {
    const same = (left: string, right: string) => sameAddress(offer.network.network, left, right)
    if (offer.scheme !== accepted.scheme || offer.network.network !== accepted.network) return false
    if (!same(offer.asset.address, accepted.asset) || !same(offer.payTo, accepted.payTo)) return false
    if (offer.amount.toString() !== accepted.amount || offer.maxTimeoutSeconds !== accepted.maxTimeoutSeconds)
      return false
    if (offer.scheme === 'exact') {
      return accepted.extra.name === offer.extra.name && accepted.extra.version === offer.extra.version
    }
    return true
  })
}
