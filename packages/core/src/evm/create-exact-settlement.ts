import {
  type Address,
  getAddress,
  type Hex,
  keccak256,
  parseTransaction,
  type TransactionSerializable,
} from 'viem'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc } from '../rpc/create-json-rpc.js'
import type {
  ExactInput,
  ExactSettleHooks,
  ExactSettlementQuery,
  ExactSettlementStatus,
} from '../scheme/types.js'
import type { NonceManager } from './create-nonce-manager.js'
import type { PayerLanes } from './create-payer-lanes.js'
import { createSettlementBatcher, type SentBatch } from './create-settlement-batcher.js'
import { findTransferLog } from './find-transfer-log.js'
import { type ExactPayload, parseExactPayload } from './parse-exact-payload.js'
import { readSettlementStatus } from './read-settlement-status.js'
import { rebroadcastTransaction } from './rebroadcast-transaction.js'
import { receiptSchema } from './rpc-schemas.js'
import { type MinedReceipt, watchSettlement } from './watch-settlement.js'

/** An authorization that passed the offline checks, with the calldata that settles it. @internal */
export type PreparedSettlement = { payload: ExactPayload; token: Address; transfer: Hex }

/** What the settlement shares with verification. @internal */
export type ExactSettlementContext = {
  rpc: JsonRpc
  settler: Address
  signTransaction: (transaction: TransactionSerializable) => Promise<Hex>
  nonces: NonceManager
  lanes: PayerLanes
  /** The offline checks of `verify`; throws before anything is sent. */
  prepare: (input: ExactInput) => Promise<PreparedSettlement>
  /**
   * The transaction to send: from a fresh `verify` of this authorization when nothing of this payer
   * was broadcast since, else after a new simulation (and balance check against the lane's holds).
   */
  transactionFor: (input: ExactInput, prepared: PreparedSettlement) => Promise<TransactionSerializable>
  settings: {
    confirmations: number
    receiptPollingMs: number
    receiptTimeoutMs: number
    presenceCheckMs: number
    replaceAfterMs: number
    maxReplacements: number
    statusLookbackBlocks: number
    pendingRetryAfterSeconds: number
    /** The `aggregate3` contract settlements waiting together share a transaction through; undefined: each alone. */
    batchMulticall: Address | undefined
    /** Most settlements in one transaction. */
    batchMaxSize: number
    /** Most milliseconds a transaction waits for settlements being prepared to join it. */
    batchMaxWaitMs: number
  }
  now: () => number
}

/** The settle side of an `exact` scheme. @internal */
export type ExactSettlement = {
  settle(
    input: ExactInput,
    hooks?: ExactSettleHooks,
  ): Promise<{ transaction: string; payer: string; logIndex?: number }>
  settlementStatus(query: ExactSettlementQuery): Promise<ExactSettlementStatus>
}

// Hashes this process broadcast, kept for `settlementStatus` (a replacement shares its record).
type SettlementRecord = { hashes: Hex[]; nonce: number }
const MAX_RECORDS = 10_000

/**
 * Creates the settle side of an `exact` scheme. A settlement runs in its payer's lane (one at a time
 * per payer and token, from the last check to the receipt), is sent through the nonce manager,
 * then watched: re-sent when the node lost it, replaced with higher fees when stuck. It resolves once
 * confirmed; answers `settlement_pending` when it may still land; and throws with
 * `details.settled === false` only when it provably cannot land.
 *
 * @example const { settle, settlementStatus } = createExactSettlement(context)
 * @throws {TollgateError} from `settle`: the codes of `prepare` and `transactionFor`, `settlement_pending`,
 * `settler_unfunded`, `settlement_failed`, `invalid_exact_evm_transaction_failed`,
 * `invalid_exact_evm_transfer_event_mismatch`; from `settlementStatus`: `invalid_payload`,
 * `invalid_payment_requirements`, `rpc_unavailable`
 * @internal
 */
export function createExactSettlement(context: ExactSettlementContext): ExactSettlement {
  const { rpc, nonces, lanes, settings } = context
  const batcher = createSettlementBatcher({
    rpc,
    nonces,
    signTransaction: context.signTransaction,
    bumpFees,
    multicall: settings.batchMulticall,
    maxSize: settings.batchMaxSize,
    maxWaitMs: settings.batchMaxWaitMs,
  })
  const records = new Map<Hex, SettlementRecord>()
  // Settlements answered `settlement_pending`, by lane and authorization nonce: a second `settle` of
  // the same authorization asks the chain about these instead of broadcasting again.
  const pending = new Map<string, SettlementRecord>()

  const remember = (hash: Hex, record: SettlementRecord): void => {
    if (!record.hashes.includes(hash)) record.hashes.push(hash)
    records.set(hash, record)
    for (const oldest of records.keys()) {
      if (records.size <= MAX_RECORDS) break
      records.delete(oldest)
    }
  }

  const statusOf = (
    payload: ExactPayload,
    token: Address,
    hashes: readonly Hex[],
    nonce: number | undefined,
    onUnknown?: () => Promise<void>,
  ) =>
    readSettlementStatus({
      ...(onUnknown === undefined ? {} : { onUnknown }),
      rpc,
      token,
      settler: context.settler,
      authorization: payload.authorization,
      hashes,
      nonce,
      confirmations: settings.confirmations,
      lookbackBlocks: settings.statusLookbackBlocks,
      retryAfter: settings.pendingRetryAfterSeconds,
    })

  const settleInLane = async (
    input: ExactInput,
    prepared: PreparedSettlement,
    lane: string,
    hooks: ExactSettleHooks | undefined,
  ) => {
    const { payload, token } = prepared
    const { from, value, nonce, validBefore } = payload.authorization
    // The settler's next transaction waits (briefly) for this one while its transaction is prepared.
    const ticket = batcher.announce()
    const transaction = await context.transactionFor(input, prepared).catch((error: unknown) => {
      ticket.cancel()
      throw notSettled(error)
    })
    // Every signed transaction is reported before it is broadcast, so a record of it exists
    // before the money can move (ARCHITECTURE.md G8); the batcher has each member record it.
    const batch = await batcher
      .send({ transaction, onSigned: async (signed) => hooks?.onSigned?.(signed) }, ticket)
      .catch((error: unknown) => {
        throw notSettled(error)
      })
    const { sent } = batch
    lanes.markBroadcast(lane)
    const record: SettlementRecord = { hashes: batch.hashes, nonce: sent.nonce }
    const watched = await watchBatch(context, batch, (hash) => remember(hash, record))
    remember(sent.hash, record)
    const result =
      watched.outcome === 'mined' && BigInt(watched.receipt.status) === 1n
        ? confirmed(watched.hash, watched.receipt, token, payload, batch.size === 1)
        : undefined
    if (result !== undefined) {
      lanes.release(lane, nonce, true)
      return result
    }
    const status: ExactSettlementStatus =
      watched.outcome === 'pending'
        ? { status: 'pending', transaction: watched.hash, retryAfter: settings.pendingRetryAfterSeconds }
        : await statusOf(payload, token, [watched.hash, ...record.hashes], sent.nonce).catch(() => ({
            status: 'pending' as const,
            transaction: watched.hash,
            retryAfter: settings.pendingRetryAfterSeconds,
          }))
    if (status.status === 'confirmed') {
      lanes.release(lane, nonce, true)
      return resultOf(status)
    }
    if (status.status === 'failed') throw failedError(status)
    lanes.hold(lane, nonce, value, Number(validBefore), 'pending')
    pending.set(`${lane}:${nonce}`, record)
    for (const oldest of pending.keys()) {
      if (pending.size <= MAX_RECORDS) break
      pending.delete(oldest)
    }
    throw pendingError(status.transaction as Hex, settings.receiptTimeoutMs, status.retryAfter, from)
  }

  // A settlement of this authorization this process answered `settlement_pending` for: ask the chain
  // (confirmed: its result; pending: pending again) before anything else, even the offline checks
  // (an authorization close to expiry fails them while its transaction may still land).
  const resolveEarlier = async (input: ExactInput) => {
    if (pending.size === 0 || !/^0x[0-9a-fA-F]{40}$/.test(input.requirements.asset)) return undefined
    let payload: ExactPayload
    try {
      payload = parseExactPayload(input.payload)
    } catch {
      return undefined // The offline checks report it.
    }
    const { from, nonce } = payload.authorization
    const token = getAddress(input.requirements.asset)
    const lane = `${token}:${from}`.toLowerCase()
    if (!pending.has(`${lane}:${nonce}`)) return undefined
    return lanes.run(lane, async () => {
      const earlier = pending.get(`${lane}:${nonce}`)
      if (earlier === undefined) return undefined
      const status = await statusOf(payload, token, earlier.hashes, earlier.nonce)
      if (status.status === 'pending')
        throw pendingError(status.transaction as Hex, settings.receiptTimeoutMs, status.retryAfter, from)
      pending.delete(`${lane}:${nonce}`)
      lanes.release(lane, nonce, status.status === 'confirmed')
      // Failed provably: the authorization may be settled anew.
      return status.status === 'confirmed' ? resultOf(status) : undefined
    })
  }

  return {
    async settle(input, hooks) {
      const earlier = await resolveEarlier(input)
      if (earlier !== undefined) return earlier
      const prepared = await context.prepare(input).catch((error: unknown) => {
        throw notSettled(error)
      })
      const lane = `${prepared.token}:${prepared.payload.authorization.from}`.toLowerCase()
      return lanes.run(lane, () =>
        settleInLane(input, prepared, lane, hooks).catch((error: unknown) => {
          // A transfer that provably did not happen holds nothing (the authorization may be tried again).
          if (TollgateError.is(error) && error.details?.settled === false)
            lanes.release(lane, prepared.payload.authorization.nonce)
          throw error
        }),
      )
    },

    async settlementStatus({ input, transaction, raw }) {
      const payload = parseExactPayload(input.payload)
      if (!/^0x[0-9a-fA-F]{64}$/.test(transaction))
        throw new TollgateError('invalid_payload', `${quote(transaction)} is not a transaction hash.`)
      if (!/^0x[0-9a-fA-F]{40}$/.test(input.requirements.asset))
        throw new TollgateError(
          'invalid_payment_requirements',
          `The asset ${quote(input.requirements.asset)} is not an address.`,
        )
      if (payload.authorization.to.toLowerCase() !== input.requirements.payTo.toLowerCase())
        throw new TollgateError(
          'invalid_payment_requirements',
          "The authorization does not pay the requirements' payTo.",
        )
      const token = getAddress(input.requirements.asset)
      const hash = transaction.toLowerCase() as Hex
      const record = records.get(hash)
      const hashes = [hash, ...(record?.hashes ?? []).filter((other) => other !== hash)]
      const signed = raw === undefined ? undefined : signedTransaction(raw, hash)
      const nonce = record?.nonce ?? signed?.nonce
      // Unknown to the node while it can still land: the process that signed it may have died
      // before or during the send. The same bytes again (same hash) can only land once.
      const status = await statusResending(
        (onUnknown) => statusOf(payload, token, hashes, nonce, onUnknown),
        signed === undefined
          ? undefined
          : async () => {
              await rebroadcastTransaction(rpc, signed.raw)
              nonces.resync()
            },
      )
      if (status.status !== 'pending') {
        const lane = `${token}:${payload.authorization.from}`.toLowerCase()
        lanes.release(lane, payload.authorization.nonce, status.status === 'confirmed')
        pending.delete(`${lane}:${payload.authorization.nonce}`)
      }
      return status
    },
  }
}

/**
 * How a sent transaction ended: its receipt when a sync send brought it (one confirmation), else
 * a watch of it, one for all settlements it carries (a replacement is signed once, for all).
 */
async function watchBatch(context: ExactSettlementContext, batch: SentBatch, onHash: (hash: Hex) => void) {
  const { settings } = context
  const { sent } = batch
  const immediate = settings.confirmations === 1 ? receiptSchema.safeParse(sent.receipt) : undefined
  if (immediate?.success)
    return { outcome: 'mined' as const, hash: sent.hash, receipt: immediate.data, hashes: [sent.hash] }
  return batch.once(() =>
    watchSettlement({
      rpc: context.rpc,
      sent,
      confirmations: settings.confirmations,
      pollingMs: settings.receiptPollingMs,
      timeoutMs: settings.receiptTimeoutMs,
      presenceCheckMs: settings.presenceCheckMs,
      replaceAfterMs: settings.replaceAfterMs,
      maxReplacements: settings.maxReplacements,
      replace: batch.replace,
      onHash,
      now: context.now,
    }),
  )
}

/** Reads a status, sending the recorded transaction again when the node knows none of it, then looking once more. */
async function statusResending(
  read: (onUnknown?: () => Promise<void>) => Promise<ExactSettlementStatus>,
  resend: (() => Promise<void>) | undefined,
): Promise<ExactSettlementStatus> {
  let resent = false
  const status = await read(
    resend === undefined
      ? undefined
      : async () => {
          await resend()
          resent = true
        },
  )
  // Sent again just now: one more look answers at once on a chain that includes it at once.
  return resent ? read() : status
}

/** The recorded signed transaction, when it is one whose hash is `hash`; its nonce from its bytes. */
function signedTransaction(raw: string, hash: Hex): { raw: Hex; nonce: number } | undefined {
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(raw) || keccak256(raw as Hex).toLowerCase() !== hash) return undefined
  try {
    const nonce = parseTransaction(raw as Hex).nonce
    return nonce === undefined ? undefined : { raw: raw as Hex, nonce }
  } catch {
    return undefined
  }
}

function resultOf(status: Extract<ExactSettlementStatus, { status: 'confirmed' }>) {
  return {
    transaction: status.transaction,
    payer: status.payer,
    ...(status.logIndex === undefined ? {} : { logIndex: status.logIndex }),
  }
}

// The settlement's transfer in a successful receipt. Without it: an error for a transaction that
// carried this settlement alone; undefined for one shared with others, where this call failed
// alone and the chain tells how the settlement ended.
function confirmed(hash: Hex, receipt: MinedReceipt, token: Address, payload: ExactPayload, alone: boolean) {
  const transfer = findTransferLog(receipt, token, payload.authorization)
  if (transfer !== undefined) return { transaction: hash, payer: payload.authorization.from, ...transfer }
  if (!alone) return undefined
  throw new TollgateError(
    'invalid_exact_evm_transfer_event_mismatch',
    `Settlement ${hash} succeeded without the expected Transfer log.`,
    { details: { transaction: hash } },
  )
}

// Same nonce, fees up by a quarter per replacement (nodes want at least a tenth more).
function bumpFees(transaction: TransactionSerializable, bump: number): TransactionSerializable {
  if (bump === 0) return transaction
  const raise = (fee: bigint | undefined) => ((fee ?? 0n) * BigInt(4 + bump)) / 4n + 1n
  if (transaction.type === 'eip1559') {
    return {
      ...transaction,
      maxFeePerGas: raise(transaction.maxFeePerGas),
      maxPriorityFeePerGas: raise(transaction.maxPriorityFeePerGas),
    }
  }
  return {
    ...transaction,
    gasPrice: raise((transaction as { gasPrice?: bigint }).gasPrice),
  } as TransactionSerializable
}

function pendingError(
  transaction: Hex,
  timeoutMs: number,
  retryAfter: number,
  payer: Address,
): TollgateError {
  return new TollgateError(
    'settlement_pending',
    `Settlement ${transaction} was broadcast but not confirmed within ${timeoutMs} ms; it may still land. Retry with the same payment.`,
    { retryAfter, details: { transaction, payer } },
  )
}

function failedError(status: Extract<ExactSettlementStatus, { status: 'failed' }>): TollgateError {
  const { transaction, reason } = status
  if (reason === 'reverted') {
    return new TollgateError('invalid_exact_evm_transaction_failed', `Settlement ${transaction} reverted.`, {
      details: { transaction, settled: false, reason },
    })
  }
  return new TollgateError('settlement_failed', `Settlement ${transaction} cannot land: ${reason}.`, {
    details: { transaction, settled: false, reason },
  })
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
