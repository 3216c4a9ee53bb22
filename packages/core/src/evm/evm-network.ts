import type { Network } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc } from '../rpc/create-json-rpc.js'
import type { ExactScheme, PaymentNetwork } from '../scheme/types.js'
import { createEvmExactScheme, type EvmExactSchemeSettings } from './create-evm-exact-scheme.js'
import { createEvmTxVerifier } from './create-evm-tx-verifier.js'
import { mppChallengeNonce } from './mpp-challenge-nonce.js'

/** Options of {@link evmNetwork}. */
export type EvmNetworkOptions = {
  /** CAIP-2 id, such as `"eip155:8453"`. */
  network: Network
  /** JSON-RPC endpoint of a node of this chain. */
  rpcUrl: string
  /** Assets to accept (address, symbol or `"native"`); default the chain's USD-pegged tokens for `$` prices. */
  assets?: readonly string[]
  /** Confirmations `tx` proofs need; default the chain registry's value. */
  confirmations?: number
  /** Typical seconds between blocks, for `Retry-After`; default 2. */
  blockTimeSeconds?: number
  /** Accept `tx` proofs. Default true. */
  tx?: boolean
  /**
   * Accept x402 `exact` (EIP-3009) payments: settler options (`{ settler, confirmations?, … }`, a
   * scheme built on this network's RPC client that settles with its own key), or a ready scheme such
   * as `createFacilitatorClient({ url })`. Default: `exact` is not offered.
   */
  exact?: ExactScheme | EvmExactSchemeSettings
  /** Milliseconds before an RPC round trip counts as failed (503). Default 5000. */
  rpcTimeoutMs?: number
  /** A ready JSON-RPC client instead of `rpcUrl` options (shares its round-trip counter). */
  rpc?: JsonRpc
}

/**
 * Accepts payments on one EVM chain: `tx` proofs verified against `rpcUrl`, and x402 `exact`
 * authorizations when `exact` is given (settled by this process's settler, or by a facilitator).
 *
 * @example
 * createGate({ networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'https://mainnet.base.org' })], ... })
 * evmNetwork({ network: 'eip155:8453', rpcUrl, exact: { settler: privateKeyToAccount(settlerKey) } })
 * @throws {TollgateError} `config_invalid` for a non-EVM network id or invalid `exact` settler options
 */
export function evmNetwork(options: EvmNetworkOptions): PaymentNetwork {
  const match = /^eip155:(\d{1,15})$/.exec(options.network)
  if (match === null) {
    throw new TollgateError('config_invalid', `"${options.network}" is not an EVM (eip155) network.`)
  }
  const rpc = options.rpc ?? createJsonRpc({ url: options.rpcUrl, timeoutMs: options.rpcTimeoutMs ?? 5000 })
  const chainId = Number(match[1])
  const exact =
    options.exact === undefined || isExactScheme(options.exact)
      ? options.exact
      : createEvmExactScheme({ ...options.exact, rpc, chainId })
  const tx =
    options.tx === false
      ? undefined
      : createEvmTxVerifier({
          rpc,
          chainId,
          blockTimeSeconds: options.blockTimeSeconds ?? 2,
        })
  return {
    specificationVersion: 'v1',
    network: options.network,
    ...(options.assets === undefined ? {} : { assets: options.assets }),
    ...(options.confirmations === undefined ? {} : { confirmations: options.confirmations }),
    ...(tx === undefined ? {} : { tx }),
    ...(exact === undefined ? {} : { exact, mppChallengeNonce }),
  }
}

function isExactScheme(value: ExactScheme | EvmExactSchemeSettings): value is ExactScheme {
  return (value as Partial<ExactScheme>).specificationVersion === 'v1'
}
