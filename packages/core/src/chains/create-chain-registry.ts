import { quote, TollgateError } from '../errors/tollgate-error.js'
import { defaultAssets, defaultChains } from './default-chains.js'
import { isNetwork } from './is-network.js'
import { type AssetInfo, type ChainInfo, NATIVE_ASSET } from './types.js'

/** Options of {@link createChainRegistry}. */
export type CreateChainRegistryOptions = {
  /** Chains to add or override (matched by `network`). */
  chains?: readonly ChainInfo[]
  /** Assets to add or override (matched by `network` and `address`). */
  assets?: readonly AssetInfo[]
  /** Start from the built-in chains and stablecoins. Default `true`. */
  defaults?: boolean
}

/** Chains and their assets, keyed by CAIP-2 id. Each registry is independent; nothing is global. */
export type ChainRegistry = {
  /** The chain, or a `network_unknown` error. */
  chain(network: string): ChainInfo
  /** The chain, or undefined. */
  findChain(network: string): ChainInfo | undefined
  /** Every chain, in registration order. */
  chains(): ChainInfo[]
  /**
   * An asset by contract address or mint, symbol (case-insensitive) or `"native"`; throws
   * `asset_unknown` or `network_unknown`.
   */
  asset(network: string, reference: string): AssetInfo
  /** Like {@link ChainRegistry.asset}, or undefined. */
  findAsset(network: string, reference: string): AssetInfo | undefined
  /** The tokens registered on a chain (not the native coin), in registration order. */
  assets(network: string): AssetInfo[]
  /** The chain's native coin as an asset. */
  nativeAsset(network: string): AssetInfo
  /** USD-pegged tokens on a chain, in registration order (USDC first among the defaults). */
  usdAssets(network: string): AssetInfo[]
  /** Adds or replaces a chain. */
  addChain(chain: ChainInfo): void
  /** Adds or replaces an asset on a known chain. */
  addAsset(asset: AssetInfo): void
}

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/
const BASE58_ADDRESS = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/

/**
 * Creates a chain registry holding Ethereum, Polygon, Base, Arbitrum, BNB Chain, Base Sepolia,
 * the local devnet (31337, with the USDC of `@tollgate/testkit`'s devnet) and Solana mainnet and
 * devnet, with their well-known stablecoins, plus whatever chains and assets you add.
 *
 * @example
 * const registry = createChainRegistry({
 *   assets: [{ network: 'eip155:8453', address: '0xYourToken', symbol: 'USDX', name: 'USD X', decimals: 6, usdPegged: true }],
 * })
 * registry.asset('eip155:8453', 'USDC').decimals // 6
 * @throws {TollgateError} `config_invalid`, `network_unknown` for invalid or orphan entries
 */
export function createChainRegistry(options: CreateChainRegistryOptions = {}): ChainRegistry {
  const chains = new Map<string, ChainInfo>()
  const assets = new Map<string, AssetInfo[]>()

  const addChain = (chain: ChainInfo): void => {
    validateChain(chain)
    chains.set(
      chain.network,
      Object.freeze({ ...chain, nativeCurrency: Object.freeze({ ...chain.nativeCurrency }) }),
    )
    if (!assets.has(chain.network)) assets.set(chain.network, [])
  }
  const addAsset = (asset: AssetInfo): void => {
    const chain = requireChain(asset.network)
    validateAsset(asset, chain)
    const list = assets.get(asset.network) ?? []
    const key = addressKey(chain, asset.address)
    const frozen = Object.freeze({
      ...asset,
      ...(asset.eip712 ? { eip712: Object.freeze({ ...asset.eip712 }) } : {}),
    })
    const index = list.findIndex((entry) => addressKey(chain, entry.address) === key)
    if (index === -1) list.push(frozen)
    else list[index] = frozen
    assets.set(asset.network, list)
  }
  const requireChain = (network: string): ChainInfo => {
    const chain = chains.get(network)
    if (chain === undefined) {
      throw new TollgateError('network_unknown', `Network ${quote(network)} is not in the chain registry.`, {
        details: { network: String(network).slice(0, 64) },
      })
    }
    return chain
  }
  const nativeAsset = (network: string): AssetInfo => {
    const chain = requireChain(network)
    return {
      network: chain.network,
      address: NATIVE_ASSET,
      symbol: chain.nativeCurrency.symbol,
      name: chain.nativeCurrency.name,
      decimals: chain.nativeCurrency.decimals,
      usdPegged: false,
    }
  }
  const findAsset = (network: string, reference: string): AssetInfo | undefined => {
    const chain = chains.get(network)
    if (chain === undefined || typeof reference !== 'string') return undefined
    if (reference === NATIVE_ASSET) return nativeAsset(network)
    const list = assets.get(network) ?? []
    const key = addressKey(chain, reference)
    const byAddress = list.find((entry) => addressKey(chain, entry.address) === key)
    if (byAddress) return byAddress
    const symbol = reference.toUpperCase()
    const bySymbol = list.find((entry) => entry.symbol.toUpperCase() === symbol)
    if (bySymbol) return bySymbol
    return chain.nativeCurrency.symbol.toUpperCase() === symbol ? nativeAsset(network) : undefined
  }

  if (options.defaults !== false) {
    for (const chain of defaultChains) addChain(chain)
    for (const asset of defaultAssets) addAsset(asset)
  }
  for (const chain of options.chains ?? []) addChain(chain)
  for (const asset of options.assets ?? []) addAsset(asset)

  return {
    chain: requireChain,
    findChain: (network) => chains.get(network),
    chains: () => [...chains.values()],
    asset(network, reference) {
      requireChain(network)
      const asset = findAsset(network, reference)
      if (asset === undefined) {
        throw new TollgateError(
          'asset_unknown',
          `Asset ${quote(reference)} is not registered on ${network}.`,
          {
            details: { network, asset: String(reference).slice(0, 64) },
          },
        )
      }
      return asset
    },
    findAsset,
    assets: (network) => [...(assets.get(network) ?? [])],
    nativeAsset,
    usdAssets: (network) => (assets.get(network) ?? []).filter((asset) => asset.usdPegged),
    addChain,
    addAsset,
  }
}

// EVM addresses are case-insensitive (the checksum is only a typo guard); Solana's are not.
function addressKey(chain: ChainInfo, address: string): string {
  return chain.family === 'evm' ? address.toLowerCase() : address
}

function validateChain(chain: ChainInfo): void {
  const problems: string[] = []
  if (!isNetwork(chain.network)) problems.push('network must be a CAIP-2 id')
  if (chain.family !== 'evm' && chain.family !== 'solana') problems.push('family must be "evm" or "solana"')
  if (
    chain.family === 'evm' &&
    (chain.chainId === undefined || `eip155:${chain.chainId}` !== chain.network)
  ) {
    problems.push('an EVM chain needs chainId matching its eip155 network')
  }
  if (!Number.isInteger(chain.nativeCurrency?.decimals) || chain.nativeCurrency.decimals < 0) {
    problems.push('nativeCurrency.decimals must be a non-negative integer')
  }
  if (!Number.isInteger(chain.confirmations) || chain.confirmations < 1)
    problems.push('confirmations must be >= 1')
  if (!(chain.blockTimeSeconds > 0)) problems.push('blockTimeSeconds must be positive')
  if (problems.length > 0) {
    throw new TollgateError(
      'config_invalid',
      `Chain ${quote(chain.network)} is invalid: ${problems.join('; ')}.`,
      {
        details: { network: String(chain.network), problems },
      },
    )
  }
}

function validateAsset(asset: AssetInfo, chain: ChainInfo): void {
  const problems: string[] = []
  const pattern = chain.family === 'evm' ? EVM_ADDRESS : BASE58_ADDRESS
  if (typeof asset.address !== 'string' || !pattern.test(asset.address)) {
    problems.push(
      `address must be a ${chain.family === 'evm' ? '0x-prefixed 20-byte hex address' : 'base58 mint'}`,
    )
  }
  if (typeof asset.symbol !== 'string' || !/^[A-Za-z0-9.]{1,16}$/.test(asset.symbol))
    problems.push('symbol must be 1-16 letters/digits')
  if (!Number.isInteger(asset.decimals) || asset.decimals < 0 || asset.decimals > 77) {
    problems.push('decimals must be an integer from 0 to 77')
  }
  if (asset.eip712 !== undefined && (chain.family !== 'evm' || !asset.eip712.name || !asset.eip712.version)) {
    problems.push('eip712 needs a name and version and applies to EVM tokens only')
  }
  if (problems.length > 0) {
    throw new TollgateError(
      'config_invalid',
      `Asset ${quote(asset.address)} on ${asset.network} is invalid: ${problems.join('; ')}.`,
      {
        details: { network: asset.network, address: String(asset.address), problems },
      },
    )
  }
}
