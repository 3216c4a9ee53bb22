import { isNetwork } from '../chains/is-network.js'
import type { Network } from '../chains/types.js'

/** x402 v1 network names and their CAIP-2 ids. @internal */
export const v1Networks: Readonly<Record<string, Network>> = {
  ethereum: 'eip155:1',
  sepolia: 'eip155:11155111',
  base: 'eip155:8453',
  'base-sepolia': 'eip155:84532',
  polygon: 'eip155:137',
  'polygon-amoy': 'eip155:80002',
  arbitrum: 'eip155:42161',
  bsc: 'eip155:56',
  avalanche: 'eip155:43114',
  'avalanche-fuji': 'eip155:43113',
  iotex: 'eip155:4689',
  sei: 'eip155:1329',
  'sei-testnet': 'eip155:1328',
  abstract: 'eip155:2741',
  'abstract-testnet': 'eip155:11124',
  solana: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
  'solana-devnet': 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
}

/**
 * Maps an x402 v1 network name (or a CAIP-2 id) to CAIP-2.
 * @example networkFromV1('base-sepolia') // 'eip155:84532'
 */
export function networkFromV1(name: string): Network | undefined {
  if (Object.hasOwn(v1Networks, name)) return v1Networks[name]
  return isNetwork(name) ? name : undefined
}
