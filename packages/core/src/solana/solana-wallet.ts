import type { Wallet } from '../scheme/wallet.js'
import { confirmSolanaTransfer } from './confirm-solana-transfer.js'
import type { SolanaCommitment } from './create-solana-tx-verifier.js'
import { readSolanaBalance } from './read-solana-balance.js'
import { sendSolanaTransfer } from './send-solana-transfer.js'
import { signSolanaProof } from './sign-solana-proof.js'
import type { SolanaSigner } from './solana-signer.js'
import { createSolanaWalletRuntime } from './solana-wallet-runtime.js'

/** Options of {@link solanaWallet}. */
export type SolanaWalletOptions = {
  /**
   * The paying key. By default a non-extractable WebCrypto key from `generateSolanaSigner()` or
   * `createSolanaSignerFromSeed()`; any `@solana/kit` signer of transactions and messages (a
   * remote or hardware signer) fits.
   */
  signer: SolanaSigner
  /** JSON-RPC endpoint of a node of the cluster the wallet pays on. */
  rpcUrl: string
  /**
   * CAIP-2 ids of the clusters this wallet pays on. Default `[SOLANA_MAINNET]`. Before its first
   * transfer on a network, the wallet checks that `rpcUrl` serves it (genesis hash).
   */
  networks?: readonly string[]
  /** How final a transfer must be for `confirmTransfer`; also the preflight commitment. Default `confirmed`. */
  commitment?: SolanaCommitment
  /** Milliseconds before one RPC call fails. Default 10,000. */
  rpcTimeoutMs?: number
  /** Milliseconds between status polls in `confirmTransfer`. Default 400 (one slot). */
  pollingIntervalMs?: number
  /** Priority fee in micro-lamports per compute unit; when set, a compute unit limit is set too. Default none. */
  computeUnitPrice?: bigint
  /** Compute units requested when `computeUnitPrice` is set. Default 50,000 (enough for creating a token account and a transfer). */
  computeUnitLimit?: number
}

/**
 * A wallet that pays `tx` requirements on Solana: SOL with a System transfer, tokens with an SPL
 * `transferChecked` from the payer's associated token account to payTo's (SPL Token or
 * Token-2022). When payTo has no token account yet, creating it costs rent: the wallet asks
 * `approveExtraCost` first and adds an idempotent create instruction only if approved. The key
 * never leaves the signer: not in return values, errors or logs.
 *
 * @example
 * const wallet = solanaWallet({ signer: await generateSolanaSigner(), rpcUrl, networks: [SOLANA_DEVNET] })
 * const { transaction } = await wallet.sendTransfer({ requirements, asset, approveExtraCost: async () => true })
 * await wallet.confirmTransfer({ requirements, transaction, confirmations: 1, timeoutMs: 30_000 })
 * @throws {TollgateError} `config_invalid` from the factory; from its methods `invalid_payment_requirements`,
 * `no_payable_option`, `policy_approval_declined`, `wallet_insufficient_funds`, `wallet_unavailable`, `payment_failed`
 */
export function solanaWallet(options: SolanaWalletOptions): Wallet {
  const runtime = createSolanaWalletRuntime(options)
  return {
    specificationVersion: 'v1',
    supports: runtime.supports,
    address: () => runtime.signer.address,
    sendTransfer: (input) => sendSolanaTransfer(runtime, input),
    confirmTransfer: (input) => confirmSolanaTransfer(runtime, input),
    signProof: (input) => signSolanaProof(runtime, input),
    balance: (network, asset) => readSolanaBalance(runtime, network, asset),
  }
}
