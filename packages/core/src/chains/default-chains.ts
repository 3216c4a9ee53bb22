import type { AssetInfo, ChainInfo } from './types.js'

/** The Solana mainnet CAIP-2 id (genesis hash prefix). */
export const SOLANA_MAINNET = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp'
/** The Solana devnet CAIP-2 id (genesis hash prefix). */
export const SOLANA_DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1'

const eth = { symbol: 'ETH', name: 'Ether', decimals: 18 }

/**
 * Chains known out of the box. Confirmation defaults trade latency for reorg safety on small
 * payments; raise them per route or verifier for large ones.
 */
export const defaultChains: readonly ChainInfo[] = [
  {
    network: 'eip155:1',
    name: 'Ethereum',
    family: 'evm',
    chainId: 1,
    nativeCurrency: eth,
    confirmations: 3,
    blockTimeSeconds: 12,
    testnet: false,
    v1Name: 'ethereum',
  },
  {
    network: 'eip155:137',
    name: 'Polygon',
    family: 'evm',
    chainId: 137,
    nativeCurrency: { symbol: 'POL', name: 'Polygon Ecosystem Token', decimals: 18 },
    confirmations: 12,
    blockTimeSeconds: 2,
    testnet: false,
    v1Name: 'polygon',
  },
  {
    network: 'eip155:8453',
    name: 'Base',
    family: 'evm',
    chainId: 8453,
    nativeCurrency: eth,
    confirmations: 1,
    blockTimeSeconds: 2,
    testnet: false,
    v1Name: 'base',
  },
  {
    network: 'eip155:42161',
    name: 'Arbitrum One',
    family: 'evm',
    chainId: 42161,
    nativeCurrency: eth,
    confirmations: 1,
    blockTimeSeconds: 1,
    testnet: false,
    v1Name: 'arbitrum',
  },
  {
    network: 'eip155:56',
    name: 'BNB Smart Chain',
    family: 'evm',
    chainId: 56,
    nativeCurrency: { symbol: 'BNB', name: 'BNB', decimals: 18 },
    confirmations: 5,
    blockTimeSeconds: 1,
    testnet: false,
    v1Name: 'bsc',
  },
  {
    network: 'eip155:84532',
    name: 'Base Sepolia',
    family: 'evm',
    chainId: 84532,
    nativeCurrency: eth,
    confirmations: 1,
    blockTimeSeconds: 2,
    testnet: true,
    v1Name: 'base-sepolia',
  },
  {
    network: 'eip155:31337',
    name: 'Local devnet',
    family: 'evm',
    chainId: 31337,
    nativeCurrency: eth,
    confirmations: 1,
    blockTimeSeconds: 1,
    testnet: true,
  },
  {
    network: SOLANA_MAINNET,
    name: 'Solana',
    family: 'solana',
    nativeCurrency: { symbol: 'SOL', name: 'Solana', decimals: 9 },
    confirmations: 1,
    blockTimeSeconds: 1,
    testnet: false,
    v1Name: 'solana',
  },
  {
    network: SOLANA_DEVNET,
    name: 'Solana devnet',
    family: 'solana',
    nativeCurrency: { symbol: 'SOL', name: 'Solana', decimals: 9 },
    confirmations: 1,
    blockTimeSeconds: 1,
    testnet: true,
    v1Name: 'solana-devnet',
  },
]

const usdc = { symbol: 'USDC', name: 'USD Coin', usdPegged: true } as const
const usdt = { symbol: 'USDT', name: 'Tether USD', usdPegged: true } as const
const circleDomain = { name: 'USD Coin', version: '2' }

/**
 * Well-known stablecoins. `eip712` is present only where the token implements EIP-3009, so
 * the x402 `exact` scheme is offered for exactly those; every asset can be paid with `tx`.
 */
export const defaultAssets: readonly AssetInfo[] = [
  {
    ...usdc,
    network: 'eip155:1',
    address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
    decimals: 6,
    eip712: circleDomain,
  },
  { ...usdt, network: 'eip155:1', address: '0xdAC17F958D2ee523a2206206994597C13D831ec7', decimals: 6 },
  {
    ...usdc,
    network: 'eip155:137',
    address: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359',
    decimals: 6,
    eip712: circleDomain,
  },
  { ...usdt, network: 'eip155:137', address: '0xc2132D05D31c914a87C6611C10748AEb04B58e8F', decimals: 6 },
  {
    ...usdc,
    network: 'eip155:8453',
    address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    decimals: 6,
    eip712: circleDomain,
  },
  {
    ...usdc,
    network: 'eip155:42161',
    address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
    decimals: 6,
    eip712: circleDomain,
  },
  { ...usdt, network: 'eip155:42161', address: '0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9', decimals: 6 },
  // BNB Chain's Binance-Peg USDC and USDT have 18 decimals and no EIP-3009.
  { ...usdc, network: 'eip155:56', address: '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d', decimals: 18 },
  { ...usdt, network: 'eip155:56', address: '0x55d398326f99059fF775485246999027B3197955', decimals: 18 },
  {
    ...usdc,
    network: 'eip155:84532',
    address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  // The `usdc` token of `@tollgate/testkit`'s devnet (`startDevnet()`, `tollgate-devnet`): the first
  // contract anvil's first default account deploys, so the same address on every fresh devnet.
  {
    ...usdc,
    network: 'eip155:31337',
    address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    decimals: 6,
    eip712: circleDomain,
  },
  { ...usdc, network: SOLANA_MAINNET, address: 'EPjFWvd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 },
  { ...usdt, network: SOLANA_MAINNET, address: 'Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB', decimals: 6 },
  { ...usdc, network: SOLANA_DEVNET, address: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU', decimals: 6 },
]
