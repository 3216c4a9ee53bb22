import { createSolanaRpc, isAddress } from '@solana/kit'
import { SOLANA_MAINNET } from '../chains/default-chains.js'
import { NATIVE_ASSET } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { anySignal } from '../rpc/any-signal.js'
import type { SolanaCommitment } from './create-solana-tx-verifier.js'
import type { SolanaSigner } from './solana-signer.js'
import type { SolanaWalletOptions } from './solana-wallet.js'

/** What every step of a Solana wallet shares: its signer, RPC, clusters and sent transactions. @internal */
export type SolanaWalletRuntime = {
  readonly options: SolanaWalletOptions
  readonly signer: SolanaSigner
  readonly networks: ReadonlySet<string>
  readonly commitment: SolanaCommitment
  /** Milliseconds before one RPC call fails. */
  readonly timeoutMs: number
  /** Milliseconds between status polls. */
  readonly pollingIntervalMs: number
  readonly rpc: ReturnType<typeof createSolanaRpc>
  /** Last valid block height of each transaction sent: past it, a transaction that never landed never will. */
  readonly expiries: Map<string, bigint>
  /** The caller's signal bounded by the wallet's timeout. */
  deadline(signal?: AbortSignal): AbortSignal
  /** Runs one RPC call with the wallet's timeout; any failure is `wallet_unavailable`. */
  call<T>(
    request: { send(config?: { abortSignal?: AbortSignal }): Promise<T> },
    signal?: AbortSignal,
  ): Promise<T>
  /** Checks once per network that the RPC node serves that cluster (genesis hash). */
  checkCluster(network: string, signal?: AbortSignal): Promise<void>
  /** Whether the wallet pays `requirements`. */
  supports(requirements: PaymentRequirements): boolean
}

/**
 * Validates the options of a Solana wallet and builds the runtime its steps share.
 * @example const runtime = createSolanaWalletRuntime({ signer, rpcUrl })
 * @throws {TollgateError} `config_invalid` for a signer that cannot sign, a non-Solana network or an unknown commitment
 * @internal
 */
export function createSolanaWalletRuntime(options: SolanaWalletOptions): SolanaWalletRuntime {
  const { signer } = options
  if (
    typeof signer !== 'object' ||
    signer === null ||
    typeof signer.address !== 'string' ||
    !isAddress(signer.address) ||
    typeof signer.signTransactions !== 'function' ||
    typeof signer.signMessages !== 'function'
  ) {
    throw new TollgateError('config_invalid', 'The Solana signer must sign transactions and messages.')
  }
  const networks = new Set(options.networks ?? [SOLANA_MAINNET])
  for (const network of networks) solanaReference(network)
  const commitment = options.commitment ?? 'confirmed'
  if (commitment !== 'confirmed' && commitment !== 'finalized') {
    throw new TollgateError(
      'config_invalid',
      `Commitment "${String(commitment)}" is not confirmed or finalized.`,
    )
  }
  const timeoutMs = options.rpcTimeoutMs ?? 10_000
  const pollingIntervalMs = options.pollingIntervalMs ?? 400
  const rpc = createSolanaRpc(options.rpcUrl)
  // Last valid block height of each transaction sent: past it, a transaction that never landed never will.
  const expiries = new Map<string, bigint>()
  const clusterChecks = new Map<string, Promise<void>>()

  const deadline = (signal?: AbortSignal): AbortSignal =>
    signal === undefined
      ? AbortSignal.timeout(timeoutMs)
      : anySignal([signal, AbortSignal.timeout(timeoutMs)])
  const call = async <T>(
    request: { send(config?: { abortSignal?: AbortSignal }): Promise<T> },
    signal?: AbortSignal,
  ) => {
    try {
      return await request.send({ abortSignal: deadline(signal) })
    } catch (error) {
      signal?.throwIfAborted()
      throw new TollgateError('wallet_unavailable', "The wallet's RPC node did not answer.", {
        retryAfter: 2,
        cause: error,
      })
    }
  }
  const checkCluster = (network: string, signal?: AbortSignal): Promise<void> => {
    let check = clusterChecks.get(network)
    if (check === undefined) {
      check = call(rpc.getGenesisHash(), signal).then((genesis) => {
        if (!genesis.startsWith(solanaReference(network))) {
          throw new TollgateError(
            'wallet_unavailable',
            `The wallet's RPC node serves another cluster than ${network}.`,
            {
              details: { network, genesisHash: genesis },
            },
          )
        }
      })
      clusterChecks.set(network, check)
      // Only a confirmed match is remembered.
      check.catch(() => clusterChecks.delete(network))
    }
    return check
  }

  const supports = (requirements: PaymentRequirements): boolean =>
    requirements.scheme === 'tx' &&
    networks.has(requirements.network) &&
    typeof requirements.payTo === 'string' &&
    isAddress(requirements.payTo) &&
    (requirements.asset === NATIVE_ASSET ||
      (typeof requirements.asset === 'string' && isAddress(requirements.asset)))

  return {
    options,
    signer,
    networks,
    commitment,
    timeoutMs,
    pollingIntervalMs,
    rpc,
    expiries,
    deadline,
    call,
    checkCluster,
    supports,
  }
}

/** The genesis-hash prefix of a CAIP-2 Solana network. @internal */
export function solanaReference(network: string): string {
  const match = /^solana:([1-9A-HJ-NP-Za-km-z]{32})$/.exec(String(network))
  if (match === null)
    throw new TollgateError('config_invalid', `"${String(network).slice(0, 64)}" is not a Solana network.`)
  return match[1] as string
}
