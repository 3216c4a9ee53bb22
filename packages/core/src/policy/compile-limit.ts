import { formatAmount } from '../amount/format-amount.js'
import { parseAmount } from '../amount/parse-amount.js'
import { addressKey } from '../chains/address-key.js'
import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { sameAddress } from '../chains/same-address.js'
import type { AssetInfo } from '../chains/types.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { parsePrice } from '../price/parse-price.js'
import { rescaleAmount } from './rescale-amount.js'
import type { Money } from './types.js'

/**
 * Fixed-point decimals that dollar and symbol limits are counted in (more when a limit is written
 * with more fraction digits). Assets with more decimals are rounded up into it.
 * @internal
 */
export const VALUE_DECIMALS = 18

/** One limit of a policy option, ready to measure payments against. @internal */
export type LimitLine = {
  /** How the limit values payments: in dollars, in units of a symbol, or in one asset. */
  kind: 'usd' | 'units' | 'atomic'
  /** The limit as people read it: `"$5"`, `"10 USDC"`, `"5 USDC on eip155:8453"`. */
  label: string
  /**
   * What the line measures, without its limit: the ledger line spend is charged to, such as
   * `"usd:18"` or `"atomic:eip155:8453|0xabc…:6"`. Two limits on the same measure share it.
   */
  key: string
  /** Fixed-point decimals of `limit` and of {@link LimitLine.measure}'s results. */
  decimals: number
  /** The limit, in units of 10^-decimals. */
  limit: bigint
  /** Whether this limit counts payments in `asset` (an asset of the policy's own registry). */
  applies(asset: AssetInfo): boolean
  /** A payment's value in units of 10^-decimals, rounded up so rounding never lets spend exceed the limit. */
  measure(asset: AssetInfo, amount: bigint): bigint
  /** Formats a value of this line: `"$0.2"`, `"0.2 USDC"`. */
  format(value: bigint): string
  /** The one asset an atomic limit with a `network` names. */
  asset?: AssetInfo
}

/** Options of {@link compileLimit}. @internal */
export type CompileLimitOptions = {
  /** The policy's chain registry; the only source of decimals and USD pegs. */
  registry: ChainRegistry
  /** The option being compiled, for error messages: `"budget"`, `"perCall"`. */
  option: string
}

/**
 * Compiles one {@link Money} limit into a line that values payments in the registry's terms.
 *
 * @example compileLimit('$5', { registry, option: 'budget' }).limit // 5n * 10n ** 18n
 * @throws {TollgateError} `config_invalid` for malformed money, an unknown asset, or an atomic
 * limit without `network` whose asset has different decimals on different networks
 * @internal
 */
export function compileLimit(money: Money, options: CompileLimitOptions): LimitLine {
  try {
    return compile(money, options)
  } catch (error) {
    if (TollgateError.is(error) && error.code === 'config_invalid') throw error
    throw new TollgateError(
      'config_invalid',
      `\`${options.option}\` ${quote(money)} is invalid: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, details: { option: options.option } },
    )
  }
}

function compile(money: Money, { registry, option }: CompileLimitOptions): LimitLine {
  const parsed = parsePrice(money)
  const measureWith =
    (decimals: number) =>
    (asset: AssetInfo, amount: bigint): bigint =>
      rescaleAmount(amount, asset.decimals, decimals, 'up')
  switch (parsed.kind) {
    case 'usd': {
      const decimals = Math.max(VALUE_DECIMALS, fractionDigits(parsed.value))
      const format = (value: bigint) => `$${formatAmount(value, decimals)}`
      const limit = parseAmount(parsed.value, decimals)
      return {
        kind: 'usd',
        label: format(limit),
        key: `usd:${decimals}`,
        decimals,
        limit,
        applies: (asset) => asset.usdPegged,
        measure: measureWith(decimals),
        format,
      }
    }
    case 'units': {
      const decimals = Math.max(VALUE_DECIMALS, fractionDigits(parsed.value))
      const symbol = parsed.symbol.toUpperCase()
      const format = (value: bigint) => `${formatAmount(value, decimals)} ${parsed.symbol}`
      const limit = parseAmount(parsed.value, decimals)
      return {
        kind: 'units',
        label: format(limit),
        key: `units:${encodeURIComponent(symbol)}:${decimals}`,
        decimals,
        limit,
        applies: (asset) => asset.symbol.toUpperCase() === symbol,
        measure: measureWith(decimals),
        format,
      }
    }
    case 'atomic': {
      const { network, asset: reference, amount: limit } = parsed
      if (network !== undefined) {
        const resolved = registry.asset(network, reference)
        const format = (value: bigint) =>
          `${formatAmount(value, resolved.decimals)} ${resolved.symbol} on ${network}`
        return {
          kind: 'atomic',
          label: format(limit),
          key: `atomic:${network}|${encodeURIComponent(addressKey(network, resolved.address))}:${resolved.decimals}`,
          decimals: resolved.decimals,
          limit,
          applies: (asset) =>
            asset.network === network && sameAddress(network, asset.address, resolved.address),
          measure: measureWith(resolved.decimals),
          format,
          asset: resolved,
        }
      }
      const matches = registry
        .chains()
        .map((chain) => registry.findAsset(chain.network, reference))
        .filter((asset) => asset !== undefined)
      const first = matches[0]
      if (first === undefined) {
        throw new TollgateError(
          'config_invalid',
          `\`${option}\` names asset ${quote(reference)}, which no network of the chain registry has.`,
          { details: { option, asset: reference.slice(0, 80) } },
        )
      }
      // Atomic units only add up across networks when they mean the same fraction of a unit.
      const decimals = new Set(matches.map((asset) => asset.decimals))
      if (decimals.size > 1) {
        throw new TollgateError(
          'config_invalid',
          `\`${option}\` names asset ${quote(reference)} without a network, but it has ${[...decimals].join(' and ')} decimals on different networks; add \`network\`.`,
          { details: { option, asset: reference.slice(0, 80), decimals: [...decimals] } },
        )
      }
      const format = (value: bigint) => `${formatAmount(value, first.decimals)} ${first.symbol}`
      return {
        kind: 'atomic',
        label: format(limit),
        // Without a network the reference itself names the asset; EVM-style addresses ignore case.
        key: `atomic:*|${encodeURIComponent(reference.startsWith('0x') ? reference.toLowerCase() : reference)}:${first.decimals}`,
        decimals: first.decimals,
        limit,
        applies: (asset) => {
          const named = registry.findAsset(asset.network, reference)
          return named !== undefined && sameAddress(asset.network, named.address, asset.address)
        },
        measure: measureWith(first.decimals),
        format,
      }
    }
  }
}

function fractionDigits(value: string): number {
  const point = value.indexOf('.')
  return point === -1 ? 0 : value.length - point - 1
}
