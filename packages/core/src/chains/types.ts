/** A CAIP-2 chain id, such as `eip155:8453` or `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`. */
export type Network = `${string}:${string}`

/** The chain families Tollgate verifies payments on. */
export type ChainFamily = 'evm' | 'solana'

/** A chain the registry knows. */
export type ChainInfo = {
  /** CAIP-2 id, the key of the registry. */
  network: Network
  /** Human-readable name, such as `"Base"`. */
  name: string
  /** Which verifier and payer family handles this chain. */
  family: ChainFamily
  /** EVM chain id (`eip155:<chainId>`); absent on Solana. */
  chainId?: number
  /** The chain's native coin. */
  nativeCurrency: { symbol: string; name: string; decimals: number }
  /**
   * Blocks a transfer must have (1 = included in the head block) before a `tx` proof is accepted
   * by default. Routes and verifiers may ask for more.
   */
  confirmations: number
  /** Typical seconds between blocks; used to suggest `Retry-After` while waiting for confirmations. */
  blockTimeSeconds: number
  /** Whether money on this chain is worthless test money. */
  testnet: boolean
  /** The x402 v1 network name, when v1 has one (`"base"`, `"base-sepolia"`, `"solana-devnet"`). */
  v1Name?: string
}

/** A token (or the native coin) on one chain. */
export type AssetInfo = {
  /** The chain this asset lives on. */
  network: Network
  /**
   * The token's contract address (EVM, checksummed), mint (Solana), or `"native"` for the
   * chain's own coin.
   */
  address: string
  /** Ticker, such as `"USDC"`. Symbols are matched case-insensitively. */
  symbol: string
  /** Human-readable name. */
  name: string
  /** Decimals of the atomic unit: 6 for USDC on most chains, 18 on BNB Chain. */
  decimals: number
  /** Whether one whole unit is worth one US dollar, so `"$0.01"` prices can be paid in it. */
  usdPegged: boolean
  /**
   * EIP-712 domain `name` and `version` of a token that supports EIP-3009
   * `transferWithAuthorization`; absent when it does not (then only the `tx` scheme applies).
   */
  eip712?: { name: string; version: string }
}

/** The address {@link AssetInfo.address} uses for a chain's native coin. */
export const NATIVE_ASSET = 'native'
