import type { Address, Hex, TransactionSerializable } from 'viem'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc } from '../rpc/create-json-rpc.js'
import { createEcdsaSignerCheck, type EcdsaSignerCheck } from './create-ecdsa-signer-check.js'
import type { ExactSettlementContext } from './create-exact-settlement.js'
import { createNonceManager, type NonceManager } from './create-nonce-manager.js'
import { createPayerLanes, type PayerLanes } from './create-payer-lanes.js'
import { MULTICALL3_ADDRESS } from './create-settlement-batcher.js'
import type { Fees } from './exact-fees.js'
import type { CreateEvmExactSchemeOptions } from './exact-scheme-types.js'

/** A simulation of `verify` that `settle` may reuse. @internal */
export type KeptSimulation = { at: number; gas: bigint; fees: Fees }

/**
 * Everything an `exact` scheme's steps share: its validated settings, fixed when the scheme is
 * created, and the few caches that change as it runs. Each step is a function of this record and
 * one authorization.
 * @internal
 */
export type ExactSchemeRuntime = {
  chainId: number
  settler: Address
  rpc: JsonRpc
  signTransaction: (transaction: TransactionSerializable) => Promise<Hex>
  nonces: NonceManager
  lanes: PayerLanes
  /** Clock in milliseconds. */
  now: () => number
  clockSkewSeconds: number
  /** Whether `verify` simulates the transfer from the settler. */
  simulate: boolean
  simulationMaxAgeMs: number
  /** The settle side's settings (see {@link ExactSettlementContext}). */
  settlementSettings: ExactSettlementContext['settings']
  /** Each token's EIP-712 name and version, re-read after they expire. */
  domains: Map<string, { name: string; version: string; expiresAt: number }>
  /** Simulations of `verify` that `settle` may reuse, keyed by token and transfer calldata. */
  verified: Map<string, KeptSimulation>
  /** Recent ECDSA recoveries: whether a digest and signature recover to the payer. */
  recovered: Map<string, boolean>
  /** Whether a signature is the payer's ECDSA signature (recent payers' keys kept). */
  isEcdsaSigner: EcdsaSignerCheck
  /** Fees, and the settler's native balance read with them (undefined when malformed). */
  feeCache: { at: number; fees: Fees; settlerBalance: bigint | undefined } | undefined
  /** Whether the node's chain id was checked against `chainId`. */
  chainChecked: boolean
}

/** Most simulations and recoveries kept. @internal */
export const MAX_KEPT_SIMULATIONS = 10_000

/**
 * Validates an `exact` scheme's options and builds its runtime record.
 * @internal
 * @throws {TollgateError} `config_invalid` for a settler that cannot sign transactions or a bad option
 */
export function createExactSchemeRuntime(options: CreateEvmExactSchemeOptions): ExactSchemeRuntime {
  const { settler, chainId } = options
  if (typeof (settler as { signTransaction?: unknown } | undefined)?.signTransaction !== 'function') {
    throw new TollgateError(
      'config_invalid',
      'The exact settler must be an account that signs transactions (a LocalAccount).',
    )
  }
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new TollgateError('config_invalid', `Chain id ${quote(chainId)} is not a positive integer.`)
  const confirmations = positiveInteger(options.confirmations ?? 1, 'confirmations')
  const receiptPollingMs = positiveInteger(options.receiptPollingMs ?? 50, 'receiptPollingMs')
  const receiptTimeoutMs = positiveInteger(options.receiptTimeoutMs ?? 30_000, 'receiptTimeoutMs')
  const simulationMaxAgeMs = nonNegativeInteger(options.simulationMaxAgeMs ?? 0, 'simulationMaxAgeMs')
  const now = options.now ?? Date.now
  const rpc = options.rpc ?? createJsonRpc({ url: options.rpcUrl as string })
  const signer = settler as { signTransaction(transaction: TransactionSerializable): Promise<Hex> }
  return {
    chainId,
    settler: settler.address,
    rpc,
    signTransaction: (transaction) => signer.signTransaction(transaction),
    nonces: createNonceManager({ rpc, address: settler.address, sendMethod: options.sendMethod ?? 'auto' }),
    lanes: createPayerLanes({ now, rememberMs: simulationMaxAgeMs + 1000 }),
    now,
    clockSkewSeconds: options.clockSkewSeconds ?? 30,
    simulate: options.simulate ?? true,
    simulationMaxAgeMs,
    settlementSettings: {
      confirmations,
      receiptPollingMs,
      receiptTimeoutMs,
      presenceCheckMs: positiveInteger(options.presenceCheckMs ?? 1000, 'presenceCheckMs'),
      replaceAfterMs: positiveInteger(options.replaceAfterMs ?? 10_000, 'replaceAfterMs'),
      maxReplacements: nonNegativeInteger(options.maxReplacements ?? 3, 'maxReplacements'),
      statusLookbackBlocks: positiveInteger(options.statusLookbackBlocks ?? 10_000, 'statusLookbackBlocks'),
      pendingRetryAfterSeconds: positiveInteger(
        options.pendingRetryAfterSeconds ?? 2,
        'pendingRetryAfterSeconds',
      ),
      ...batchSettings(options.batchSettlements),
    },
    domains: new Map(),
    verified: new Map(),
    recovered: new Map(),
    isEcdsaSigner: createEcdsaSignerCheck(),
    feeCache: undefined,
    chainChecked: false,
  }
}

function batchSettings(
  batch: CreateEvmExactSchemeOptions['batchSettlements'],
): Pick<ExactSettlementContext['settings'], 'batchMulticall' | 'batchMaxSize' | 'batchMaxWaitMs'> {
  if (batch === false) return { batchMulticall: undefined, batchMaxSize: 1, batchMaxWaitMs: 0 }
  const multicall = batch?.multicall ?? MULTICALL3_ADDRESS
  if (!/^0x[0-9a-fA-F]{40}$/.test(multicall))
    throw new TollgateError('config_invalid', `The batch contract ${quote(multicall)} is not an address.`)
  const maxSize = positiveInteger(batch?.maxSize ?? 16, 'batchSettlements.maxSize')
  const maxWaitMs = nonNegativeInteger(batch?.maxWaitMs ?? 20, 'batchSettlements.maxWaitMs')
  return { batchMulticall: multicall, batchMaxSize: maxSize, batchMaxWaitMs: maxWaitMs }
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TollgateError(
      'config_invalid',
      `The exact scheme option ${name} must be a non-negative integer.`,
    )
  return value
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TollgateError('config_invalid', `The exact scheme option ${name} must be a positive integer.`)
  return value
}
