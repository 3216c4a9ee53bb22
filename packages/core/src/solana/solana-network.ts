import type { Network } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc } from '../rpc/create-json-rpc.js'
import type { PaymentNetwork } from '../scheme/types.js'
import { createSolanaTxVerifier, type SolanaCommitment } from './create-solana-tx-verifier.js'

/** Options of {@link solanaNetwork}. */
export type SolanaNetworkOptions = {
  /** CAIP-2 id, such as `"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"` (`SOLANA_MAINNET`). */
  network: Network
  /** JSON-RPC endpoint of a node of this cluster. Its genesis hash must match `network` (checked once). */
  rpcUrl: string
  /** Assets to accept (mint, symbol or `"native"`); default the chain's USD-pegged tokens for `$` prices. */
  assets?: readonly string[]
  /** How final a payment must be before it is accepted. Default `confirmed`. */
  commitment?: SolanaCommitment
  /**
   * Confirmations announced in `extra.confirmations`; default the chain registry's value (1). On
   * Solana the commitment is what is checked: the node's answer at that commitment is the confirmation.
   */
  confirmations?: number
  /** Accept `tx` proofs. Default true. */
  tx?: boolean
  /** Milliseconds before an RPC round trip counts as failed (503). Default 5000. */
  rpcTimeoutMs?: number
  /** Largest accepted RPC answer in bytes. Default 1 MiB. */
  maxResponseBytes?: number
  /** A ready JSON-RPC client instead of `rpcUrl` options (shares its round-trip counter). */
  rpc?: JsonRpc
}

/**
 * Accepts payments on one Solana cluster: `tx` proofs of SOL or SPL token (and Token-2022)
 * transfers, verified against `rpcUrl` at the chosen commitment.
 *
 * @example
 * createGate({ networks: [solanaNetwork({ network: SOLANA_MAINNET, rpcUrl: 'https://api.mainnet-beta.solana.com' })], ... })
 * @throws {TollgateError} `config_invalid` for a non-Solana network id or an unknown commitment
 */
export function solanaNetwork(options: SolanaNetworkOptions): PaymentNetwork {
  if (!/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/.test(options.network)) {
    throw new TollgateError(
      'config_invalid',
      `"${options.network}" is not a Solana (solana:<genesis>) network.`,
    )
  }
  const tx =
    options.tx === false
      ? undefined
      : createSolanaTxVerifier({
          rpc:
            options.rpc ??
            createJsonRpc({
              url: options.rpcUrl,
              timeoutMs: options.rpcTimeoutMs ?? 5000,
              maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
            }),
          network: options.network,
          ...(options.commitment === undefined ? {} : { commitment: options.commitment }),
        })
  return {
    specificationVersion: 'v1',
    network: options.network,
    ...(options.assets === undefined ? {} : { assets: options.assets }),
    ...(options.confirmations === undefined ? {} : { confirmations: options.confirmations }),
    ...(tx === undefined ? {} : { tx }),
  }
}
