import {
  type Account,
  type Address,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  type TransactionSerializable,
} from 'viem'
import { z } from 'zod'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createJsonRpc, type JsonRpc, type JsonRpcCall } from '../rpc/create-json-rpc.js'
import type { ExactInput, ExactScheme, ExactSettlementQuery, ExactSettlementStatus } from '../scheme/types.js'
import { checkExactAuthorization } from './check-exact-authorization.js'
import { createExactSettlement } from './create-exact-settlement.js'
import { createNonceManager } from './create-nonce-manager.js'
import { createPayerLanes } from './create-payer-lanes.js'
import { decodeTryCall, type TryCallResult } from './decode-try-call.js'
import { eip3009Abi, erc1271Abi } from './eip3009-abi.js'
import { encodeTryCall } from './encode-try-call.js'
import { exactExtra, identifyExact } from './identify-exact.js'
import { type ExactPayload, parseExactPayload } from './parse-exact-payload.js'
import { recoverEcdsaSigner } from './recover-ecdsa-signer.js'
import { quantitySchema } from './rpc-schemas.js'

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
  /**
   * Milliseconds to wait for a settlement's receipt before answering `settlement_pending` (the
   * transaction may still land; `settlementStatus` tells later). Default 30000.
   */
  receiptTimeoutMs?: number
  /**
   * Milliseconds between checks that the node still holds an unmined settlement; one it lost is sent
   * again. A send lost in transport is checked at once. Default 1000.
   */
  presenceCheckMs?: number
  /** Milliseconds an unmined settlement waits before it is replaced with higher fees (same nonce). Default 10000. */
  replaceAfterMs?: number
  /** Most fee replacements per settlement. Default 3. */
  maxReplacements?: number
  /**
   * How settlements are sent: `sync` (`eth_sendRawTransactionSync`, EIP-7966: the receipt comes with
   * the answer), `async` (`eth_sendRawTransaction`, then receipt polls), or `auto` (sync, falling back to
   * async for good when the node does not offer it). Default `auto`.
   */
  sendMethod?: 'auto' | 'sync' | 'async'
  /**
   * Milliseconds for which `verify`'s simulation stands in for one at `settle`, when no settlement of
   * the same payer was broadcast since: the settlement is then one round trip instead of two. The
   * price: a payer who moves its funds (or uses the authorization elsewhere) while the handler runs
   * makes the settler broadcast a transfer that reverts, and pay its gas. Default 0 (always simulate
   * again right before the send).
   */
  simulationMaxAgeMs?: number
  /** Blocks `settlementStatus` looks back for the authorization's use by an unknown transaction. Default 10000. */
  statusLookbackBlocks?: number
  /** Seconds a `settlement_pending` answer tells the caller to wait. Default 2. */
  pendingRetryAfterSeconds?: number
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
  /** Where a settlement stands, read from the chain (see {@link ExactScheme.settlementStatus}). */
  settlementStatus(query: ExactSettlementQuery): Promise<ExactSettlementStatus>
  /** `settle` reports every signed settlement before it broadcasts it. */
  readonly reportsSigned: true
}

// The token's EIP-712 name and version change only by an upgrade; re-read them now and then.
const TOKEN_DOMAIN_TTL_MS = 10 * 60_000
const ERC1271_MAGIC = '0x1626ba7e'
const codeSchema = z.string().regex(/^0x(?:[0-9a-fA-F]{2})*$/)
const blockFeeSchema = z.object({ baseFeePerGas: quantitySchema.nullish() })
// Fees read by `verify` serve settlements for this long.
const FEE_MAX_AGE_MS = 2000
const MAX_KEPT_SIMULATIONS = 10_000

/**
 * Creates the x402 `exact` scheme (EIP-3009 `transferWithAuthorization`) for one EVM chain,
 * verified and settled by this process with its own gas-paying settler.
 *
 * `verify` runs, in this order, and each once: the payload shape; the offline checks (requirements
 * and EIP-712 domain, recipient, exact value, `validAfter <= now`, `validBefore >= now + 6 s`,
 * `validBefore <= now + maxTimeoutSeconds + skew`, and ECDSA recovery); then ONE batched JSON-RPC
 * round trip with the token's `name()`/`version()` (cached per asset), `eth_getCode(from)` and
 * ERC-1271 `isValidSignature` (only when the signature does not recover to `from`),
 * `authorizationState`, `balanceOf` and an `eth_call` simulation of the transfer from the settler
 * (plus, for the settlement to come, gas prices at most every 2 s and the settler's nonce once);
 * whose answers are judged in the same order: token domain, signature, nonce, balance (less what
 * this payer's other verified authorizations and pending settlements hold), simulation.
 *
 * A verified authorization then holds its value against the payer's balance (per payer and token),
 * checked and held in one synchronous step after the batch answers, so of concurrent authorizations
 * a payer can afford only one of, one passes `verify` and the others are refused
 * `insufficient_funds` before any handler runs. The hold ends when the authorization is settled
 * (or provably cannot be), when `abandon` is called (the gate calls it when the handler failed or
 * the requester left), or at the latest at the authorization's `validBefore` or the offer's
 * `maxTimeoutSeconds` after verify. Holds are per process: two instances of this scheme (two gate
 * processes) each hold separately, and a facilitator built on it holds from `/verify` until
 * `/settle` or the lapse.
 * Contract calls travel as deployless `eth_call`s that report a revert as data, so one revert
 * cannot fail the batch. No account's code is cached: an address can gain code at any time
 * (ERC-4337 deployment, EIP-7702 delegation), and the code is only read when ECDSA failed.
 *
 * `settle` repeats the offline checks and runs in the payer's lane: settlements of one payer and
 * token run one at a time, from the last check to the receipt, so of several authorizations a payer
 * can afford only one of, one is broadcast and the others are refused (`insufficient_funds`,
 * `details.settled === false`) without costing gas. In the lane it simulates again (the state may
 * have changed while the handler ran; skipped within `simulationMaxAgeMs` of `verify`'s simulation
 * when nothing of this payer was broadcast since), then signs and sends through the nonce manager
 * (`eth_sendRawTransactionSync` when the node offers it, so the receipt comes with the answer), and
 * watches the receipt every `receiptPollingMs`: a send the node never saw is sent again within
 * `presenceCheckMs`, a stuck one is replaced with higher fees (same nonce) after `replaceAfterMs`.
 * With `eth_sendRawTransactionSync`, a payment is three round trips: verify, the settle-time
 * simulation, the send (two with `simulationMaxAgeMs`).
 *
 * The settle contract, which a gate relies on:
 * - resolves `{ transaction, payer, logIndex }` once a successful receipt with the token's
 *   `Transfer(from, payTo, value)` log has `confirmations` blocks;
 * - throws `settlement_pending` (503, `retryAfter`, `details.transaction`) when the transaction was
 *   broadcast but is not confirmed within `receiptTimeoutMs`: it may still land. Keep the claim and
 *   the transaction hash, answer the payer with `Retry-After`, and on its retry call
 *   `settlementStatus({ input, transaction })`: `confirmed` (serve; `transaction` may be a
 *   replacement's hash), `pending` (answer 503 again), `failed` (provably cannot land: the
 *   authorization was canceled, expired unused, or the settler nonce went to another transaction);
 * - throws with `details.settled === false` only when the transfer provably did not and cannot
 *   happen (nothing broadcast, or a reverted transaction with the authorization still unused): the
 *   claim may be released and the authorization tried again. `settler_unfunded` (503, `retryAfter`)
 *   is one: the settler cannot pay gas;
 * - any other failure leaves the outcome open: keep the claim.
 *
 * @example
 * const exact = createEvmExactScheme({ rpcUrl, chainId: 8453, settler: privateKeyToAccount(process.env.SETTLER_KEY) })
 * createGate({ networks: [evmNetwork({ network: 'eip155:8453', rpcUrl, exact })], ... })
 * @throws {TollgateError} `config_invalid` for a settler that cannot sign transactions or a bad option;
 * from `identify`: `invalid_payload`; from `verify`: the offline codes of `checkExactAuthorization`,
 * `invalid_exact_evm_payload_signature`, `invalid_exact_evm_payload_undeployed_smart_wallet`,
 * `invalid_exact_evm_token_name_mismatch`, `invalid_exact_evm_token_version_mismatch`,
 * `invalid_exact_evm_eip3009_not_supported`, `invalid_exact_evm_nonce_already_used`, `insufficient_funds`,
 * `invalid_exact_evm_transaction_simulation_failed`, `settler_unfunded` (the settler's native balance,
 * read with the fees every 2 s, cannot pay this settlement's gas), `rpc_unavailable`; from `settle`: those, plus
 * `settlement_pending`, `settler_unfunded`, `settlement_failed`, `invalid_exact_evm_transaction_failed`,
 * `invalid_exact_evm_transfer_event_mismatch` (`details.settled === false` only when the transfer
 * provably did not and cannot happen); from `settlementStatus`: `invalid_payload`,
 * `invalid_payment_requirements`, `rpc_unavailable`
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
  const receiptTimeoutMs = positiveInteger(options.receiptTimeoutMs ?? 30_000, 'receiptTimeoutMs')
  const simulationMaxAgeMs = nonNegativeInteger(options.simulationMaxAgeMs ?? 0, 'simulationMaxAgeMs')
  const clockSkewSeconds = options.clockSkewSeconds ?? 30
  const simulate = options.simulate ?? true
  const now = options.now ?? Date.now
  const rpc = options.rpc ?? createJsonRpc({ url: options.rpcUrl as string })
  const signer = settler as { signTransaction(transaction: TransactionSerializable): Promise<Hex> }
  const signTransaction = (transaction: TransactionSerializable) => signer.signTransaction(transaction)
  const nonces = createNonceManager({
    rpc,
    address: settler.address,
    sendMethod: options.sendMethod ?? 'auto',
  })
  const lanes = createPayerLanes({ now, rememberMs: simulationMaxAgeMs + 1000 })
  const domains = new Map<string, { name: string; version: string; expiresAt: number }>()
  // Simulations of `verify` that `settle` may reuse, keyed by token and transfer calldata.
  const verified = new Map<string, { at: number; gas: bigint; fees: Fees }>()
  // Fees, and the settler's native balance read with them (undefined when malformed).
  let feeCache: { at: number; fees: Fees; settlerBalance: bigint | undefined } | undefined
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
    const eoaSigned = await recoversTo(digest, payload.signature, payload.authorization.from)
    return { payload, token, digest, eoaSigned, transfer: encodeTransfer(payload, eoaSigned) }
  }

  // ECDSA recovery is the costliest offline step; `settle` repeats `verify`'s, so remember recent
  // answers (keyed by the digest, which covers every signed field, and the signature).
  const recovered = new Map<string, boolean>()
  const recoversTo = async (digest: Hex, signature: Hex, from: Address): Promise<boolean> => {
    const key = `${digest}:${signature}`
    const known = recovered.get(key)
    if (known !== undefined) return known
    const answer = (await recoverEcdsaSigner(digest, signature)) === from
    recovered.set(key, answer)
    for (const oldest of recovered.keys()) {
      if (recovered.size <= MAX_KEPT_SIMULATIONS) break
      recovered.delete(oldest)
    }
    return answer
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
    // What `settle` needs besides the simulation, so it can skip a round trip: fees, the settler's nonce.
    const feesStale = simulate && (feeCache === undefined || now() - feeCache.at > FEE_MAX_AGE_MS)
    const gasPriceSlot = feesStale ? slot({ method: 'eth_gasPrice', params: [] }) : -1
    const blockSlot = feesStale ? slot({ method: 'eth_getBlockByNumber', params: ['latest', false] }) : -1
    const settlerBalanceSlot = feesStale
      ? slot({ method: 'eth_getBalance', params: [settler.address, 'latest'] })
      : -1
    const countSlot =
      simulate && nonces.needsCount
        ? slot({ method: 'eth_getTransactionCount', params: [settler.address, 'pending'] })
        : -1
    const issuedAt = now()
    const lane = laneOf(token, from)
    // Settlements of this payer confirmed after this point may not show in the balance read.
    const since = lanes.sequence()

    const results = await rpc.batch(calls, input.signal)
    if (chainSlot !== -1) checkChain(results[chainSlot])
    if (gasPriceSlot !== -1) {
      const fees = readFees(results[gasPriceSlot], results[blockSlot])
      const settlerBalance = quantitySchema.safeParse(results[settlerBalanceSlot])
      if (fees !== undefined)
        feeCache = {
          at: issuedAt,
          fees,
          settlerBalance: settlerBalance.success ? BigInt(settlerBalance.data) : undefined,
        }
    }
    if (countSlot !== -1) nonces.seed(results[countSlot])

    // 1. The token's EIP-712 domain must be the one the payer was told to sign.
    const { name, version } = input.requirements.extra as { name: string; version: string }
    const actual = domain ?? {
      name: readString(decodeTryCall(results[nameSlot], 'name'), 'name', token),
      version: readString(decodeTryCall(results[versionSlot], 'version'), 'version', token),
      expiresAt: now() + TOKEN_DOMAIN_TTL_MS,
    }
    if (domain === undefined) domains.set(token, actual)
    checkTokenDomain(actual, name, version)

    // 2. The signature: offline ECDSA, else ERC-1271 on a deployed contract account.
    if (!eoaSigned) checkContractSignature(results[codeSlot], results[erc1271Slot], payload, chainId)

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
    // What other verified authorizations and pending settlements of this payer hold; this very
    // authorization holds nothing against itself.
    const nowSeconds = Math.floor(now() / 1000)
    assertAffordable(balance, value, lanes.held(lane, nowSeconds, { except: nonce, since }))

    // 5. Whatever else the token checks (pausing, blacklists, wallet rules) shows in the simulation.
    if (simulationSlot !== -1) {
      const simulation = decodeTryCall(results[simulationSlot], 'transferWithAuthorization')
      if (!simulation.success) throw simulationFailed(simulation.reason)
      if (feeCache !== undefined && now() - feeCache.at <= FEE_MAX_AGE_MS) {
        const gas = gasLimit(simulation, transfer)
        // Refuse before the handler runs when the settler could not pay for this settlement.
        assertSettlerFunded(feeCache.settlerBalance, gas, feeCache.fees, settler.address)
        keepSimulation(`${token}:${transfer}`, { at: issuedAt, gas, fees: feeCache.fees })
      }
    }
    // Checked and held in one synchronous step: a concurrent verify of this payer sees the hold.
    const lapse = Math.min(
      Number(payload.authorization.validBefore),
      nowSeconds + input.requirements.maxTimeoutSeconds,
    )
    lanes.hold(lane, nonce, value, lapse, 'verified')
    return { payer: from }
  }

  // Frees what a verified authorization held, when it will not be settled (the handler failed).
  const abandon = (input: ExactInput): void => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(input.requirements.asset)) return
    const parsed = safeParse(input)
    if (parsed === undefined) return
    lanes.abandon(
      laneOf(input.requirements.asset as Address, parsed.authorization.from),
      parsed.authorization.nonce,
    )
  }

  const keepSimulation = (key: string, record: { at: number; gas: bigint; fees: Fees }): void => {
    verified.set(key, record)
    for (const [oldKey, old] of verified) {
      if (verified.size <= MAX_KEPT_SIMULATIONS && now() - old.at <= simulationMaxAgeMs) break
      verified.delete(oldKey)
    }
  }

  // The transaction for a settlement: from `verify`'s simulation when it is fresh and nothing of
  // this payer was broadcast since (in the payer's lane), else simulated again with the balance
  // checked against the lane's holds, in one round trip that also reads fees.
  const transactionFor = async (
    input: ExactInput,
    prepared: { payload: ExactPayload; token: Address; transfer: Hex },
  ): Promise<TransactionSerializable> => {
    const { payload, token, transfer } = prepared
    const { from, value } = payload.authorization
    const lane = laneOf(token, from)
    const key = `${token}:${transfer}`
    const kept = verified.get(key)
    verified.delete(key)
    const last = lanes.lastBroadcast(lane)
    // What other settlements of this payer that may still land hold (verified authorizations not
    // broadcast yet change nothing on chain: of those, the first to settle is served first).
    const held = lanes.held(lane, Math.floor(now() / 1000), {
      except: payload.authorization.nonce,
      pendingOnly: true,
    })
    if (kept !== undefined && isReusable(kept.at, now(), simulationMaxAgeMs, last, held)) {
      assertNotAborted(input.signal)
      return { chainId, to: token, data: transfer, gas: kept.gas, ...kept.fees }
    }
    // The simulation, and only what is not known already: the balance when the lane holds some
    // of it, fees older than FEE_MAX_AGE_MS, the chain id and the settler's nonce when not read yet.
    const calls: JsonRpcCall[] = [tryCall(token, transfer, settler.address)]
    const slot = (call: JsonRpcCall): number => calls.push(call) - 1
    const balanceSlot =
      held === 0n
        ? -1
        : slot(
            tryCall(token, encodeFunctionData({ abi: eip3009Abi, functionName: 'balanceOf', args: [from] })),
          )
    const cachedFees =
      feeCache !== undefined && now() - feeCache.at <= FEE_MAX_AGE_MS ? feeCache.fees : undefined
    const issuedAt = now()
    const gasPriceSlot = cachedFees === undefined ? slot({ method: 'eth_gasPrice', params: [] }) : -1
    const blockSlot =
      cachedFees === undefined ? slot({ method: 'eth_getBlockByNumber', params: ['latest', false] }) : -1
    const chainSlot = chainChecked ? -1 : slot({ method: 'eth_chainId', params: [] })
    const countSlot = nonces.needsCount
      ? slot({ method: 'eth_getTransactionCount', params: [settler.address, 'pending'] })
      : -1
    const results = await rpc.batch(calls, input.signal)
    if (chainSlot !== -1) checkChain(results[chainSlot])
    if (countSlot !== -1) nonces.seed(results[countSlot])
    const simulation = decodeTryCall(results[0], 'transferWithAuthorization')
    if (!simulation.success) throw simulationFailed(simulation.reason, codeForRevert(simulation.reason))
    if (balanceSlot !== -1)
      assertAffordable(
        readResult(decodeTryCall(results[balanceSlot], 'balanceOf'), 'balanceOf', token),
        value,
        held,
      )
    const fees = cachedFees ?? readFees(results[gasPriceSlot], results[blockSlot])
    if (fees === undefined) throw malformed('eth_gasPrice')
    if (cachedFees === undefined) feeCache = { at: issuedAt, fees, settlerBalance: undefined }
    assertNotAborted(input.signal)
    return { chainId, to: token, data: transfer, gas: gasLimit(simulation, transfer), ...fees }
  }

  const settlement = createExactSettlement({
    rpc,
    settler: settler.address,
    signTransaction,
    nonces,
    lanes,
    prepare,
    transactionFor,
    settings: {
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
    },
    now,
  })

  return {
    specificationVersion: 'v1',
    signers: [settler.address],
    extra: exactExtra,
    identify: (input) => identifyExact(input, { nowSeconds: Math.floor(now() / 1000), clockSkewSeconds }),
    verify,
    abandon,
    settle: settlement.settle,
    settlementStatus: settlement.settlementStatus,
    reportsSigned: true,
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

type Fees =
  | { type: 'legacy'; gasPrice: bigint }
  | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }

// Fees from `eth_gasPrice` and the latest block's base fee; undefined when an answer is malformed.
function readFees(rawGasPrice: unknown, rawBlock: unknown): Fees | undefined {
  const gasPrice = quantitySchema.safeParse(rawGasPrice)
  const block = blockFeeSchema.safeParse(rawBlock)
  if (!gasPrice.success || !block.success) return undefined
  const baseFeeHex = block.data.baseFeePerGas
  if (baseFeeHex === undefined || baseFeeHex === null)
    return { type: 'legacy', gasPrice: BigInt(gasPrice.data) }
  const baseFee = BigInt(baseFeeHex)
  // eth_gasPrice is the node's base fee plus its suggested tip; room for two full blocks of base fee rises.
  const price = BigInt(gasPrice.data)
  const tip = price > baseFee ? price - baseFee : 0n
  return { type: 'eip1559', maxPriorityFeePerGas: tip, maxFeePerGas: baseFee * 2n + tip }
}

function assertSettlerFunded(balance: bigint | undefined, gas: bigint, fees: Fees, settler: Address): void {
  const price = fees.type === 'legacy' ? fees.gasPrice : fees.maxFeePerGas
  if (balance === undefined || balance >= gas * price) return
  throw new TollgateError(
    'settler_unfunded',
    `The settler ${settler} holds ${balance} wei, less than the ${gas * price} wei a settlement may cost.`,
    { retryAfter: 60, details: { settler, balance, required: gas * price } },
  )
}

function safeParse(input: ExactInput): ExactPayload | undefined {
  try {
    return parseExactPayload(input.payload)
  } catch {
    return undefined
  }
}

function laneOf(token: Address, from: Address): string {
  return `${token}:${from}`.toLowerCase()
}

// The balance must cover this authorization on top of what pending settlements of the payer hold.
function assertAffordable(balance: unknown, value: bigint, held: bigint): void {
  if (typeof balance === 'bigint' && balance - held >= value) return
  throw new TollgateError(
    'insufficient_funds',
    held === 0n
      ? `The payer holds ${String(balance)} atomic units; the authorization transfers ${value}.`
      : `The payer holds ${String(balance)} atomic units, ${held} of them for pending settlements; the authorization transfers ${value}.`,
    { details: { balance, required: value, ...(held === 0n ? {} : { held }) } },
  )
}

function assertNotAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TollgateError('settlement_failed', 'The request was aborted before settlement.', {
      cause: signal.reason,
      details: { settled: false },
    })
  }
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

// 1. The token's EIP-712 domain must be the one the payer was told to sign.
function checkTokenDomain(actual: { name: string; version: string }, name: string, version: string): void {
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
}

// 2. A signature that is not the payer's ECDSA one must satisfy ERC-1271 on a deployed contract.
function checkContractSignature(
  rawCode: unknown,
  rawAnswer: unknown,
  payload: ExactPayload,
  chainId: number,
): void {
  const from = payload.authorization.from
  const code = codeSchema.safeParse(rawCode)
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
  const answer = decodeTryCall(rawAnswer, 'isValidSignature')
  if (!answer.success || answer.data.slice(0, 10).toLowerCase() !== ERC1271_MAGIC)
    throw invalidSignature(from)
}

function simulationFailed(
  reason: string | undefined,
  code: TollgateErrorCode = 'invalid_exact_evm_transaction_simulation_failed',
): TollgateError {
  return new TollgateError(code, `The transfer would revert: ${reason}.`, { details: { reason } })
}

// A simulation kept from `verify` serves `settle` while fresh and while nothing of this payer was
// broadcast since it and no pending settlement of this payer holds any of the balance.
function isReusable(
  keptAt: number,
  nowMs: number,
  simulationMaxAgeMs: number,
  lastBroadcast: number | undefined,
  held: bigint,
): boolean {
  return (
    nowMs - keptAt <= simulationMaxAgeMs &&
    (lastBroadcast === undefined || lastBroadcast < keptAt) &&
    held === 0n
  )
}
