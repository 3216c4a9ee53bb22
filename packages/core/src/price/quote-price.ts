import { parseAmount } from '../amount/parse-amount.js'
import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { type AssetInfo, NATIVE_ASSET } from '../chains/types.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { type ParsedPrice, type Price, parsePrice } from './parse-price.js'

/** Options of {@link quotePrice}. */
export type QuotePriceOptions = {
  /** CAIP-2 network to price on. */
  network: string
  /** Where assets and their decimals come from. */
  registry: ChainRegistry
  /**
   * Assets acceptable on this network (address, symbol or `"native"`). Default: every USD-pegged
   * asset for dollar prices, the named asset otherwise.
   */
  assets?: readonly string[]
}

/** One way to pay a price: an amount in atomic units of one asset. */
export type PriceQuote = {
  /** The asset to pay in. */
  asset: AssetInfo
  /** Atomic units of `asset`. */
  amount: bigint
}

/**
 * Converts a price into what must be paid on one network, for each acceptable asset, using
 * each asset's own decimals: `"$0.01"` is 10_000 atomic units of 6-decimal USDC and 10^16 of
 * BNB Chain's 18-decimal USDC. Never rounds.
 *
 * @example quotePrice('$0.01', { network: 'eip155:8453', registry }) // [{ asset: USDC, amount: 10_000n }]
 * @throws {TollgateError} `price_invalid`, `amount_precision_exceeded`, `asset_unknown`, `network_unknown`
 */
export function quotePrice(price: Price | ParsedPrice, options: QuotePriceOptions): PriceQuote[] {
  const parsed = isParsed(price) ? price : parsePrice(price)
  const { registry, network } = options
  registry.chain(network)
  const allowed = options.assets?.map((reference) => registry.asset(network, reference))
  const candidates = allowed ?? defaultCandidates(parsed, options)
  const quotes: PriceQuote[] = []
  for (const asset of candidates) {
    const amount = amountIn(parsed, asset, options)
    if (amount !== undefined) quotes.push({ asset, amount })
  }
  if (quotes.length === 0) {
    throw new TollgateError(
      'asset_unknown',
      `No asset on ${network} can be paid for price ${describe(parsed)}.`,
      {
        details: { network, price: describe(parsed) },
      },
    )
  }
  return quotes
}

function isParsed(price: Price | ParsedPrice): price is ParsedPrice {
  return typeof price === 'object' && price !== null && 'kind' in price
}

function defaultCandidates(parsed: ParsedPrice, { registry, network }: QuotePriceOptions): AssetInfo[] {
  switch (parsed.kind) {
    case 'usd':
      return registry.usdAssets(network)
    case 'units': {
      const asset = registry.findAsset(network, parsed.symbol)
      return asset ? [asset] : []
    }
    case 'atomic': {
      if (parsed.network !== undefined && parsed.network !== network) return []
      const asset = registry.findAsset(network, parsed.asset)
      return asset ? [asset] : []
    }
  }
}

// undefined when this asset cannot pay this price (wrong symbol, not USD-pegged, other network).
function amountIn(
  parsed: ParsedPrice,
  asset: AssetInfo,
  { registry, network }: QuotePriceOptions,
): bigint | undefined {
  switch (parsed.kind) {
    case 'usd':
      return asset.usdPegged ? parseAmount(parsed.value, asset.decimals) : undefined
    case 'units':
      return asset.symbol.toUpperCase() === parsed.symbol.toUpperCase()
        ? parseAmount(parsed.value, asset.decimals)
        : undefined
    case 'atomic': {
      if (parsed.network !== undefined && parsed.network !== network) return undefined
      const named = registry.findAsset(network, parsed.asset)
      const same = named !== undefined && named.address === asset.address
      return same || (asset.address === NATIVE_ASSET && parsed.asset === NATIVE_ASSET)
        ? parsed.amount
        : undefined
    }
  }
}

function describe(parsed: ParsedPrice): string {
  switch (parsed.kind) {
    case 'usd':
      return `$${parsed.value}`
    case 'units':
      return `${parsed.value} ${parsed.symbol}`
    case 'atomic':
      return `${parsed.amount} atomic units of ${quote(parsed.asset)}`
  }
}
