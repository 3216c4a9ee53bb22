/**
 * @module @tollgate/core/evm
 * EVM chains (Ethereum, Polygon, Base, Arbitrum, BNB Chain, any eip155 chain): verify `tx`
 * proofs and x402 `exact` authorizations for the gate, and pay them for the client. Uses `viem`,
 * an optional peer dependency of `@tollgate/core`.
 */
export { type CreateEvmTxVerifierOptions, createEvmTxVerifier } from './create-evm-tx-verifier.js'
export {
  type CreateJsonRpcOptions,
  createJsonRpc,
  type JsonRpc,
  type JsonRpcCall,
} from './create-json-rpc.js'
export { type EvmNetworkOptions, evmNetwork } from './evm-network.js'
