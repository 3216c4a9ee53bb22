import { type ChainRegistry, createChainRegistry } from '@tollgate/core'

/** A variable the suite sets for a merchant process; its absence is a bug in the suite. */
export function required(name: string): string {
  const value = process.env[name]?.trim()
  if (value === undefined || value === '') throw new Error(`${name} is required.`)
  return value
}

/**
 * The devnet a merchant process pays on, from `TOLLGATE_CHAIN_ID` and `TOLLGATE_ASSET`: its
 * network id, the USDC-like token, and a registry that knows both.
 */
export function devnetFromEnv(): { network: `eip155:${number}`; asset: string; registry: ChainRegistry } {
  const chainId = Number(required('TOLLGATE_CHAIN_ID'))
  const network = `eip155:${chainId}` as const
  const asset = required('TOLLGATE_ASSET')
  const registry = createChainRegistry()
  registry.addChain({
    network,
    name: 'Devnet',
    family: 'evm',
    chainId,
    nativeCurrency: { symbol: 'ETH', name: 'Ether', decimals: 18 },
    confirmations: 1,
    blockTimeSeconds: 1,
    testnet: true,
  })
  registry.addAsset({
    network,
    address: asset,
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    usdPegged: true,
    eip712: { name: 'USD Coin', version: '2' },
  })
  return { network, asset, registry }
}
