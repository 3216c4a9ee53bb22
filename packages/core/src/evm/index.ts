/**
 * @module @tollgate/core/evm
 * EVM chains (Ethereum, Polygon, Base, Arbitrum, BNB Chain, any eip155 chain): verify `tx`
 * proofs and x402 `exact` authorizations for the gate, and pay them for the client. Uses `viem`,
 * an optional peer dependency of `@tollgate/core`.
 */

export {
  type CreateJsonRpcOptions,
  createJsonRpc,
  type JsonRpc,
  type JsonRpcCall,
} from '../rpc/create-json-rpc.js'
export {
  type CreateEvmExactSchemeOptions,
  createEvmExactScheme,
  type EvmExactScheme,
  type EvmExactSchemeSettings,
} from './create-evm-exact-scheme.js'
export { type CreateEvmTxVerifierOptions, createEvmTxVerifier } from './create-evm-tx-verifier.js'
export {
  type CreateFacilitatorOptions,
  createFacilitator,
  type Facilitator,
  type FacilitatorScheme,
} from './create-facilitator.js'
export {
  type CreateFacilitatorClientOptions,
  createFacilitatorClient,
  type FacilitatorClient,
  type FacilitatorPath,
} from './create-facilitator-client.js'
export { type EvmNetworkOptions, evmNetwork } from './evm-network.js'
export { type EvmWalletOptions, evmWallet } from './evm-wallet.js'
export type { SupportedResponse } from './facilitator-schemas.js'
export { mppChallengeNonce } from './mpp-challenge-nonce.js'
export {
  type PaidToolsShorthand,
  type PaidToolsWallet,
  toPaidToolsClient,
} from './to-paid-tools-client.js'
