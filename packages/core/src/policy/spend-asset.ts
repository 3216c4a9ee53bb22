import type { ChainRegistry } from '../chains/create-chain-registry.js'
import type { AssetInfo } from '../chains/types.js'
import type { LedgerSpend } from '../ledger/types.js'

/**
 * The asset of a spend the ledger returned, from the policy's registry; an asset the registry
 * does not know is described by its address, in atomic units, and never valued.
 *
 * @example spendAsset(registry, spend) // { asset: { symbol: 'USDC', … }, valued: true }
 * @internal
 */
export function spendAsset(
  registry: ChainRegistry,
  spend: Pick<LedgerSpend, 'network' | 'asset'>,
): { asset: AssetInfo; valued: boolean } {
  const valued = registry.findAsset(spend.network, spend.asset)
  if (valued !== undefined) return { asset: valued, valued: true }
  const symbol = spend.asset.slice(0, 12)
  return {
    asset: {
      network: spend.network as AssetInfo['network'],
      address: spend.asset,
      symbol,
      name: symbol,
      decimals: 0,
      usdPegged: false,
    },
    valued: false,
  }
}
