import {
  type Account,
  type Address,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  type TransactionSerializable,
} from 'viem'
import { z } from 'zod'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc, type JsonRpcCall } from '../rpc/create-json-rpc.js'
import type { ExactInput, ExactScheme } from '../scheme/types.js'
import { checkExactAuthorization } from './check-exact-authorization.js'
import { createNonceManager } from './create-nonce-manager.js'
import { decodeTryCall, type TryCallResult } from './decode-try-call.js'
import { eip3009Abi, erc1271Abi } from './eip3009-abi.js'
import { encodeTryCall } from './encode-try-call.js'
import { exactExtra, identifyExact } from './identify-exact.js'
import { type ExactPayload, parseExactPayload } from './parse-exact-payload.js'
import { recoverEcdsaSigner } from './recover-ecdsa-signer.js'
import { quantitySchema } from './rpc-schemas.js'
import { type MinedReceipt, waitForReceipt } from './wait-for-receipt.js'

/** How an `exact` scheme settles, shared by {@link createEvmExactScheme} and `evmNetwork({ exact })`. */
export type EvmExactSchemeSettings = {
  /**
   * The account that sends `transferWithAuthorization` and pays its gas: a viem `LocalAccount`
   * (`privateKeyToAccount`) or any account with `signTransaction` (a KMS or HSM signer). It needs
   * native coin for gas, and should send nothing else while the scheme runs (its nonces are managed
   * here).
   */
  settler: Account
  /** Blocks a settlement needs, counting its own, before the request is served. Default 1. */
  confirmations?: number
  /** Milliseconds between receipt polls. Default 50 (viem's default of 4 s would dominate latency). */
  receiptPollingMs?: number
  /** Milliseconds to wait for a settlement's receipt before reporting it unknown. Default 60000. */
  receiptTimeoutMs?: number
  /** Simulate `transferWithAuthorization` from the settler during `verify`. Default true. */
  simulate?: boolean
  /** Tolerated clock difference with payers, in seconds, for the authorization lifetime bound. Default 30. */
  clockSkewSeconds?: number
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** Options of {@link createEvmExactScheme}. */
export type CreateEvmExactSchemeOptions = EvmExactSchemeSettings & {
  /** The EVM chain id this scheme verifies and settles on (`eip155:<chainId>`). */
  chainId: number
} & (
    | {
        /** A JSON-RPC client of a node of this chain (shares its round-trip counter). */
        rpc: JsonRpc
        rpcUrl?: never
      }
    | {
        /** The JSON-RPC endpoint of a node of this chain. */
        rpcUrl: string
        rpc?: never
      }
  )

/** An `exact` scheme that settles itself; `signers` lists the settler for a facilitator's `/supported`. */
export type EvmExactScheme = ExactScheme & {
  /** The settler's address. */
  readonly signers: readonly Address[]
}

// The token's EIP-712 name and version change only by an upgrade; re-read them now and then.
const TOKEN_DOMAIN_TTL_MS = 10 * 60_000
const ERC1271_MAGIC = '0x1626ba7e'
const codeSchema = z.string().regex(/^0x(?:[0-9a-fA-F]{2})*$/)
const blockFeeSchema = z.object({ baseFeePerGas: quantitySchema.nullish() })

/**
 * Creates the x402 `exact` scheme (EIP-3009 `transferWithAuthorization`) for one EVM chain,
 * verified and settled by this process with its own gas-paying settler.
 *
 * `verify` runs, in this order, and each once: the payload shape; the offline checks (requirements
 * and EIP-712 domain, recipient, exact value, `validAfter <= now`, `validBefore >= now + 6 s`,
 * `validBefore <= now + maxTimeoutSeconds + skew`, and ECDSA recovery); then ONE batched JSON-RPC
 * round trip with the token's `name()`/`version()` (cached per asset), `eth_getCode(from)` and
 * ERC-1271 `isValidSignature` (only when the signature does not recover to `from`),
 * `authorizationState`, `balanceOf` and an `eth_call` simulation of the transfer from the settler;
 * whose answers are judged in the same order: token domain, signature, nonce, balance, simulation.
 * Contract calls travel as deployless `eth_call`s that report a revert as data, so one revert
 * cannot fail the batch. No account's code is cached: an address can gain code at any time
 * (ERC-4337 deployment, EIP-7702 delegation), and the code is only read when ECDSA failed.
 *
 * `settle` repeats the offline checks, simulates again (the state may have changed while the
 * handler ran) in one round trip that also reads gas prices, then signs and sends through a nonce
 * manager (one send at a time per settler, re-sync from the pending count after a refusal) and polls
 * the receipt every `receiptPollingMs`. It requires a successful receipt with the token's
 * `Transfer(from, payTo, value)` log.
 *
 * @example
 * const exact = createEvmExactScheme({ rpcUrl, chainId: 8453, settler: privateKeyToAccount(process.env.SETTLER_KEY) })
 * createGate({ networks: [evmNetwork({ network: 'eip155:8453', rpcUrl, exact })], ... })
 * @throws {TollgateError} `config_invalid` for a settler that cannot sign transactions or a bad option;
 * from `identify`: `invalid_payload`; from `verify`: the offline codes of `checkExactAuthorization`,
 * `invalid_exact_evm_payload_signature`, `invalid_exact_evm_payload_undeployed_smart_wallet`,
 * `invalid_exact_evm_token_name_mismatch`, `invalid_exact_evm_token_version_mismatch`,
 * `invalid_exact_evm_eip3009_not_supported`, `invalid_exact_evm_nonce_already_used`, `insufficient_funds`,
 * `invalid_exact_evm_transaction_simulation_failed`, `rpc_unavailable`; from `settle`: those, plus
 * `settlement_failed`, `invalid_exact_evm_transaction_failed`, `invalid_exact_evm_transfer_event_mismatch`
 * (`details.settled === false` only when the transfer certainly did not happen)
 */
export function createEvmExactScheme(options: CreateEvmExactSchemeOptions): EvmExactScheme {
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
  const receiptTimeoutMs = positiveInteger(options.receiptTimeoutMs ?? 60_000, 'receiptTimeoutMs')
  const clockSkewSeconds = options.clockSkewSeconds ?? 30
  const simulate = options.simulate ?? true
  const now = options.now ?? Date.now
  const rpc = options.rpc ?? createJsonRpc({ url: options.rpcUrl as string })
  const signer = settler as { signTransaction(transaction: TransactionSerializable): Promise<Hex> }
  const signTransaction = (transaction: TransactionSerializable) => signer.signTransaction(transaction)
  const nonces = createNonceManager({ rpc, address: settler.address })
  const domains = new Map<string, { name: string; version: string; expiresAt: number }>()
  let chainChecked = false

  const prepare = async (input: ExactInput) => {
    const nowSeconds = Math.floor(now() / 1000)
    const payload = parseExactPayload(input.payload)
    const { token, digest } = checkExactAuthorization({
      payload,
      requirements: input.requirements,
      asset: input.asset,
      chainId,
      nowSeconds,
      clockSkewSeconds,
    })
    const ecdsaSigner = await recoverEcdsaSigner(digest, payload.signature)
    const eoaSigned = ecdsaSigner === payload.authorization.from
    return { payload, token, digest, eoaSigned, transfer: encodeTransfer(payload, eoaSigned) }
  }

  const checkChain = (answer: unknown): void => {
    const parsed = quantitySchema.safeParse(answer)
    if (!parsed.success) throw malformed('eth_chainId')
    const served = Number(BigInt(parsed.data))
    if (served !== chainId) {
      throw new TollgateError('rpc_unavailable', `The RPC node serves chain ${served}, not ${chainId}.`, {
        retryAfter: 30,
      })
    }
    chainChecked = true
  }

  const verify = async (input: ExactInput): Promise<{ payer: string }> => {
    const { payload, token, digest, eoaSigned, transfer } = await prepare(input)
    const { from, nonce, value } = payload.authorization
    const calls: JsonRpcCall[] = []
    const slot = (call: JsonRpcCall): number => calls.push(call) - 1
    const chainSlot = chainChecked ? -1 : slot({ method: 'eth_chainId', params: [] })
    const cached = domains.get(token)
    const domain = cached !== undefined && cached.expiresAt > now() ? cached : undefined
    const nameSlot = domain
      ? -1
      : slot(tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'name' })))
    const versionSlot = domain
      ? -1
      : slot(tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'version' })))
    const codeSlot = eoaSigned ? -1 : slot({ method: 'eth_getCode', params: [from, 'latest'] })
    const erc1271Slot = eoaSigned
      ? -1
      : slot(
          tryCall(
            from,
            encodeFunctionData({
              abi: erc1271Abi,
              functionName: 'isValidSignature',
              args: [digest, payload.signature],
            }),
          ),
        )
    const stateSlot = slot(
      tryCall(
        token,
        encodeFunctionData({ abi: eip3009Abi, functionName: 'authorizationState', args: [from, nonce] }),
      ),
    )
    const balanceSlot = slot(
      tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'balanceOf', args: [from] })),
    )
    const simulationSlot = simulate ? slot(tryCall(token, transfer, settler.address)) : -1

    const results = await rpc.batch(calls, input.signal)
    if (chainSlot !== -1) checkChain(results[chainSlot])

    // 1. The token's EIP-712 domain must be the one the payer was told to sign.
    const { name, version } = input.requirements.extra as { name: string; version: string }
    const actual = domain ?? {
      name: readString(decodeTryCall(results[nameSlot], 'name'), 'name', token),
      version: readString(decodeTryCall(results[versionSlot], 'version'), 'version', token),
      expiresAt: now() + TOKEN_DOMAIN_TTL_MS,
    }
    if (domain === undefined) domains.set(token, actual)
    if (actual.name !== name) {
      throw new TollgateError(
        'invalid_exact_evm_token_name_mismatch',
        `The token's EIP-712 name is ${quote(actual.name)}, not ${quote(name)}.`,
        { details: { expected: name, actual: actual.name } },
      )
    }
    if (actual.version !== version) {
      throw new TollgateError(
        'invalid_exact_evm_token_version_mismatch',
        `The token's EIP-712 version is ${quote(actual.version)}, not ${quote(version)}.`,
        { details: { expected: version, actual: actual.version } },
      )
    }

    // 2. The signature: offline ECDSA, else ERC-1271 on a deployed contract account.
    if (!eoaSigned) {
      const code = codeSchema.safeParse(results[codeSlot])
      if (!code.success) throw malformed('eth_getCode')
      if (code.data === '0x') {
        if (payload.signature.length !== 132) {
          throw new TollgateError(
            'invalid_exact_evm_payload_undeployed_smart_wallet',
            `The payer ${from} signed like a smart wallet but has no code on chain ${chainId}.`,
          )
        }
        throw invalidSignature(from)
      }
      const answer = decodeTryCall(results[erc1271Slot], 'isValidSignature')
      if (!answer.success || answer.data.slice(0, 10).toLowerCase() !== ERC1271_MAGIC)
        throw invalidSignature(from)
    }

    // 3. The nonce must be unused, 4. the balance must cover the value.
    const used = readResult(
      decodeTryCall(results[stateSlot], 'authorizationState'),
      'authorizationState',
      token,
    )
    if (used === true) {
      throw new TollgateError(
        'invalid_exact_evm_nonce_already_used',
        'This authorization was already used or canceled on chain.',
        { details: { nonce } },
      )
    }
    const balance = readResult(decodeTryCall(results[balanceSlot], 'balanceOf'), 'balanceOf', token)
    if (typeof balance !== 'bigint' || balance < value) {
      throw new TollgateError(
        'insufficient_funds',
        `The payer holds ${String(balance)} atomic units; the authorization transfers ${value}.`,
        { details: { balance, required: value } },
      )
    }

    // 5. Whatever else the token checks (pausing, blacklists, wallet rules) shows in the simulation.
    if (simulationSlot !== -1) {
      const simulation = decodeTryCall(results[simulationSlot], 'transferWithAuthorization')
      if (!simulation.success) {
        throw new TollgateError(
          'invalid_exact_evm_transaction_simulation_failed',
          `The transfer would revert: ${simulation.reason}.`,
          { details: { reason: simulation.reason } },
        )
      }
    }
    return { payer: from }
  }

  const settle = async (
    input: ExactInput,
  ): Promise<{ transaction: string; payer: string; logIndex?: number }> => {
    const { payload, token, transaction } = await prepareSettlement(input)
    const { from, to, value, nonce } = payload.authorization
    // The nonce manager only throws before a broadcast (a lost send comes back as `unknown`).
    const sent = await nonces
      .send((assigned) => signTransaction({ ...transaction, nonce: assigned }))
      .catch((error: unknown) => {
        throw notSettled(error)
      })

    const receipt = await waitForReceipt({
      rpc,
      hash: sent.hash,
      confirmations,
      pollingMs: receiptPollingMs,
      timeoutMs: receiptTimeoutMs,
      now,
    })
    if (receipt === undefined) {
      // Dropped or still pending: the next send re-reads the pending count, and the claim stays.
      nonces.resync()
      throw new TollgateError(
        'settlement_failed',
        `Settlement ${sent.hash} was not confirmed within ${receiptTimeoutMs} ms; it may still land.`,
        { details: { transaction: sent.hash, pending: true } },
      )
    }
    if (BigInt(receipt.status) !== 1n) {
      const settled = await authorizationUnused(token, from, nonce).then(
        (unused) => (unused ? { settled: false } : {}),
        () => ({}),
      )
      throw new TollgateError('invalid_exact_evm_transaction_failed', `Settlement ${sent.hash} reverted.`, {
        details: { transaction: sent.hash, ...settled },
      })
    }
    const transferLog = findTransferLog(receipt, token, from, to, value)
    if (transferLog === undefined) {
      throw new TollgateError(
        'invalid_exact_evm_transfer_event_mismatch',
        `Settlement ${sent.hash} succeeded without the expected Transfer log.`,
        { details: { transaction: sent.hash } },
      )
    }
    // The log index is the transfer's on-chain identity, which the gate claims across schemes.
    const logIndex = transferLog.logIndex
    return {
      transaction: sent.hash,
      payer: from,
      ...(logIndex === undefined || logIndex === null ? {} : { logIndex: Number(BigInt(logIndex)) }),
    }
  }

  // Everything before the broadcast: any failure here means nothing was sent.
  const prepareSettlement = async (
    input: ExactInput,
  ): Promise<{ payload: ExactPayload; token: Address; transaction: TransactionSerializable }> => {
    try {
      const { payload, token, transfer } = await prepare(input)
      const calls: JsonRpcCall[] = [
        tryCall(token, transfer, settler.address),
        { method: 'eth_gasPrice', params: [] },
        { method: 'eth_getBlockByNumber', params: ['latest', false] },
      ]
      if (!chainChecked) calls.push({ method: 'eth_chainId', params: [] })
      const [rawSimulation, rawGasPrice, rawBlock, rawChainId] = await rpc.batch(calls, input.signal)
      if (!chainChecked) checkChain(rawChainId)
      const simulation = decodeTryCall(rawSimulation, 'transferWithAuthorization')
      if (!simulation.success) {
        throw new TollgateError(
          codeForRevert(simulation.reason),
          `The transfer would revert: ${simulation.reason}.`,
          {
            details: { reason: simulation.reason },
          },
        )
      }
      const gasPrice = quantitySchema.safeParse(rawGasPrice)
      const block = blockFeeSchema.safeParse(rawBlock)
      if (!gasPrice.success || !block.success) throw malformed('eth_gasPrice')
      if (input.signal?.aborted) {
        throw new TollgateError('settlement_failed', 'The request was aborted before settlement.', {
          cause: input.signal.reason,
        })
      }
      return {
        payload,
        token,
        transaction: {
          chainId,
          to: token,
          data: transfer,
          gas: gasLimit(simulation, transfer),
          ...fees(BigInt(gasPrice.data), block.data.baseFeePerGas),
        },
      }
    } catch (error) {
      throw notSettled(error)
    }
  }

  const authorizationUnused = async (token: Address, from: Address, nonce: Hex): Promise<boolean> => {
    const call = tryCall(
      token,
      encodeFunctionData({ abi: eip3009Abi, functionName: 'authorizationState', args: [from, nonce] }),
    )
    const answer = decodeTryCall(await rpc.request(call.method, call.params), 'authorizationState')
    return readResult(answer, 'authorizationState', token) === false
  }

  return {
    specificationVersion: 'v1',
    signers: [settler.address],
    extra: exactExtra,
    identify: (input) => identifyExact(input, { nowSeconds: Math.floor(now() / 1000), clockSkewSeconds }),
    verify,
    settle,
  }
}

function tryCall(target: Address, data: Hex, from?: Address): JsonRpcCall {
  return {
    method: 'eth_call',
    params: [{ ...(from === undefined ? {} : { from }), data: encodeTryCall(target, data) }, 'latest'],
  }
}

// (v, r, s) for a 65-byte signature whose bytes survive re-packing, which every EIP-3009 token
// has; the `bytes` overload (FiatToken v2.2) for smart-wallet signatures of any other length.
function encodeTransfer(payload: ExactPayload, eoaSigned: boolean): Hex {
  const { from, to, value, validAfter, validBefore, nonce } = payload.authorization
  const { signature } = payload
  const v = signature.length === 132 ? Number.parseInt(signature.slice(130), 16) : undefined
  if (v !== undefined && (v === 27 || v === 28 || (eoaSigned && (v === 0 || v === 1)))) {
    return encodeFunctionData({
      abi: eip3009Abi,
      functionName: 'transferWithAuthorization',
      args: [
        from,
        to,
        value,
        validAfter,
        validBefore,
        nonce,
        v < 27 ? v + 27 : v,
        `0x${signature.slice(2, 66)}`,
        `0x${signature.slice(66, 130)}`,
      ],
    })
  }
  return encodeFunctionData({
    abi: eip3009Abi,
    functionName: 'transferWithAuthorization',
    args: [from, to, value, validAfter, validBefore, nonce, signature],
  })
}

// The gas measured around the simulated call plus the transaction's intrinsic cost, with a margin
// for state that changes before inclusion and the 63/64 rule on the token's inner calls.
function gasLimit(simulation: TryCallResult, data: Hex): bigint {
  let calldata = 0n
  for (let index = 2; index < data.length; index += 2)
    calldata += data.slice(index, index + 2) === '00' ? 4n : 16n
  return ((21_000n + calldata + simulation.gasUsed) * 5n) / 4n + 10_000n
}

function fees(
  gasPrice: bigint,
  baseFeeHex: string | null | undefined,
):
  | { type: 'legacy'; gasPrice: bigint }
  | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  if (baseFeeHex === undefined || baseFeeHex === null) return { type: 'legacy', gasPrice }
  const baseFee = BigInt(baseFeeHex)
  // eth_gasPrice is the node's base fee plus its suggested tip; room for two full blocks of base fee rises.
  const tip = gasPrice > baseFee ? gasPrice - baseFee : 0n
  return { type: 'eip1559', maxPriorityFeePerGas: tip, maxFeePerGas: baseFee * 2n + tip }
}

function findTransferLog(
  receipt: MinedReceipt,
  token: Address,
  from: Address,
  to: Address,
  value: bigint,
): MinedReceipt['logs'][number] | undefined {
  return receipt.logs.find((log) => {
    if (log.removed === true || log.address.toLowerCase() !== token.toLowerCase()) return false
    try {
      const event = decodeEventLog({
        abi: eip3009Abi,
        eventName: 'Transfer',
        data: log.data as Hex,
        topics: log.topics as [Hex, ...Hex[]],
      })
      return event.args.from === from && event.args.to === to && event.args.value === value
    } catch {
      return false
    }
  })
}

// A call through the try-wrapper that reverted or returned nothing decodable: the asset is not an
// EIP-3009 token (or not a contract at all).
function readResult(
  answer: TryCallResult,
  functionName: 'authorizationState' | 'balanceOf' | 'name' | 'version',
  token: Address,
): unknown {
  if (answer.success) {
    try {
      return decodeFunctionResult({ abi: eip3009Abi, functionName, data: answer.data })
    } catch {
      // Reported below.
    }
  }
  throw new TollgateError(
    'invalid_exact_evm_eip3009_not_supported',
    `The asset ${token} does not answer ${functionName}() like an EIP-3009 token.`,
    {
      details: { asset: token, function: functionName, ...(answer.reason ? { reason: answer.reason } : {}) },
    },
  )
}

function readString(answer: TryCallResult, functionName: 'name' | 'version', token: Address): string {
  const value = readResult(answer, functionName, token)
  return typeof value === 'string' ? value.slice(0, 256) : ''
}

function codeForRevert(reason: string | undefined): TollgateErrorCode {
  const text = reason ?? ''
  if (/not yet valid/i.test(text)) return 'invalid_exact_evm_payload_authorization_valid_after'
  if (/expired/i.test(text)) return 'invalid_exact_evm_payload_authorization_valid_before'
  if (/used or canceled/i.test(text)) return 'invalid_exact_evm_nonce_already_used'
  if (/invalid signature|ECRecover/i.test(text)) return 'invalid_exact_evm_payload_signature'
  if (/exceeds balance|insufficient/i.test(text)) return 'insufficient_funds'
  return 'invalid_exact_evm_transaction_simulation_failed'
}

// Before the broadcast the transfer certainly did not happen through us; an authorization already
// used on chain may have been settled by someone else, so that one case stays unknown.
function notSettled(error: unknown): TollgateError {
  const failure = TollgateError.is(error)
    ? error
    : new TollgateError('settlement_failed', 'The settlement could not be prepared.', { cause: error })
  if (failure.code === 'invalid_exact_evm_nonce_already_used' || failure.details?.settled === false)
    return failure
  return new TollgateError(failure.code, failure.message, {
    cause: failure.cause,
    details: { ...failure.details, settled: false },
    ...(failure.retryAfter === undefined ? {} : { retryAfter: failure.retryAfter }),
  })
}

function invalidSignature(from: Address): TollgateError {
  return new TollgateError(
    'invalid_exact_evm_payload_signature',
    `The authorization is not signed by its payer ${from}.`,
    { details: { payer: from } },
  )
}

function malformed(method: string): TollgateError {
  return new TollgateError('rpc_unavailable', `The RPC node's answer to ${method} is malformed.`, {
    retryAfter: 2,
  })
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TollgateError('config_invalid', `The exact scheme option ${name} must be a positive integer.`)
  return value
}
