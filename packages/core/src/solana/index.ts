/**
 * @module @tollgate/core/solana
 * Solana: verify `tx` proofs of SOL and SPL token (and Token-2022) transfers for the gate, and pay
 * them for the client from non-extractable WebCrypto Ed25519 keys. Uses `@solana/kit` and the
 * `@solana-program/token` and `@solana-program/system` clients, optional peer dependencies of
 * `@tollgate/core`.
 */

// The chain-agnostic JSON-RPC client, so Solana users can share one without loading viem.
export {
  type CreateJsonRpcOptions,
  createJsonRpc,
  type JsonRpc,
  type JsonRpcCall,
} from '../rpc/create-json-rpc.js'
export { createSolanaSignerFromSeed } from './create-solana-signer-from-seed.js'
export {
  type CreateSolanaTxVerifierOptions,
  createSolanaTxVerifier,
  type SolanaCommitment,
} from './create-solana-tx-verifier.js'
export { generateSolanaSigner } from './generate-solana-signer.js'
export { type SolanaNetworkOptions, solanaNetwork } from './solana-network.js'
export type { SolanaSigner } from './solana-signer.js'
export { type SolanaWalletOptions, solanaWallet } from './solana-wallet.js'
