/**
 * @module @tollgate/testkit/solana
 * A real Solana cluster for tests, demos and benchmarks, in-process: LiteSVM executes signed
 * transactions with the real SPL Token, Token-2022 and Associated Token Account programs, and a
 * `node:http` JSON-RPC server on 127.0.0.1 serves what wallets and verifiers read. No validator
 * binary, nothing downloaded.
 */
export type { JsonRpcStats } from './serve-json-rpc.js'
export {
  type SolanaDevnet,
  type SolanaDevnetAccount,
  type SolanaDevnetJson,
  type SolanaDevnetSendResult,
  type SolanaDevnetToken,
  type SolanaDevnetTokenName,
  type StartSolanaDevnetOptions,
  startSolanaDevnet,
} from './start-solana-devnet.js'
export type { TransactionErrorJson } from './transaction-error-json.js'
