import type { Address, Chain, Hash, Hex, HttpTransport, PublicClient, TestClient, WalletClient } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { AnvilAccount, StartAnvilOptions } from '../anvil/start-anvil.js'

/** Options of {@link startDevnet}: those of `startAnvil`, plus how much to mint. */
export interface StartDevnetOptions extends StartAnvilOptions {
  /** Whole tokens minted to every account, of each token (scaled by its decimals). Default `1_000_000n`. */
  tokenBalance?: bigint
}

/** The tokens a devnet deploys: `usdc` (6 decimals) and `usdc18` (18 decimals, like USDC on BNB Chain). */
export type DevnetTokenName = 'usdc' | 'usdc18'

/** A `TestUsdc` deployed on a devnet, with its EIP-712 domain name and version. */
export interface DevnetToken {
  /** Contract address, checksummed. */
  readonly address: Address
  /** Decimals of the atomic unit: `6` for `usdc`, `18` for `usdc18`. */
  readonly decimals: number
  /** ERC-20 name and EIP-712 domain name, `"USD Coin"`. */
  readonly name: string
  /** ERC-20 symbol, `"USDC"`. */
  readonly symbol: string
  /** EIP-712 domain version, `"2"`. */
  readonly version: string
}

/** A funded dev account of a devnet (public test keys). */
export type DevnetAccount = AnvilAccount

/** What {@link Devnet.toJSON} returns and the `tollgate-devnet` CLI prints. */
export interface DevnetJson {
  rpcUrl: string
  chainId: number
  /** CAIP-2 network id, `eip155:<chainId>`. */
  network: `eip155:${number}`
  tokens: Record<DevnetTokenName, { address: Address; decimals: number; name: string; version: string }>
  accounts: { address: Address; privateKey: Hex }[]
}

/** A running devnet: anvil with both tokens deployed and every account funded. */
export interface Devnet {
  /** JSON-RPC endpoint, `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string
  /** Chain id. Default `31337`. */
  readonly chainId: number
  /** CAIP-2 network id, `eip155:<chainId>`. */
  readonly network: `eip155:${number}`
  /** A viem chain for this devnet. */
  readonly chain: Chain
  /** The deployed tokens. */
  readonly tokens: { readonly usdc: DevnetToken; readonly usdc18: DevnetToken }
  /** Funded accounts, anvil's order. Account 0 deployed and owns the tokens. */
  readonly accounts: readonly DevnetAccount[]
  /** A viem public client, polling every 50 ms. */
  readonly publicClient: PublicClient<HttpTransport, Chain>
  /** A viem test client in anvil mode. */
  readonly testClient: TestClient<'anvil', HttpTransport, Chain>
  /** A viem wallet client that signs locally with account `accountIndex` (default `0`). */
  walletClient(accountIndex?: number): WalletClient<HttpTransport, Chain, PrivateKeyAccount>
  /** Takes a state snapshot and returns its id (`evm_snapshot`). */
  snapshot(): Promise<Hex>
  /** Restores a snapshot (`evm_revert`); the snapshot is used up. Throws if `id` is unknown. */
  revert(id: Hex): Promise<void>
  /** Mines `blocks` blocks (default `1`). */
  mine(blocks?: number): Promise<void>
  /** Sets the timestamp (unix seconds) of the next block. */
  setNextBlockTimestamp(timestamp: bigint | number): Promise<void>
  /** Moves the chain clock forward by `seconds` from the next block on. */
  increaseTime(seconds: number): Promise<void>
  /** Mints `amount` atomic units of `token` (a name or an address) to `to`, and waits for the receipt. */
  mint(token: DevnetTokenName | Address, to: Address, amount: bigint): Promise<Hash>
  /** Deploys a `TestSmartWallet` owned by account `ownerIndex` (default `0`) and returns its address. */
  deploySmartWallet(ownerIndex?: number): Promise<Address>
  /** The serialisable description of this devnet (no clients, no functions). */
  toJSON(): DevnetJson
  /** Stops anvil. Idempotent. */
  stop(): Promise<void>
}
