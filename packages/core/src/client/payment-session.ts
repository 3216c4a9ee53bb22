import { formatAmount } from '../amount/format-amount.js'
import type { LedgerRecord, LedgerRecordType } from '../ledger/types.js'
import type { Reservation } from '../policy/types.js'
import type { PaymentPayload, PaymentRequirementsV1 } from '../protocol/types.js'
import type { Candidate } from './choose-requirements.js'
import type { ClientRuntime } from './client-runtime.js'
import type { ClientFetchOptions } from './client-types.js'

/**
 * One payment from reservation to its end, with the only operations that move budget: reserve,
 * commit (the money moved) and release (it provably did not and cannot). Every step is recorded in
 * the ledger and reported as a lifecycle event. @internal
 */
export type PaymentSession = {
  /** Payment id, shared by its ledger records; replaced by the reused payment's id on reuse. */
  id: string
  readonly url: string
  readonly candidate: Candidate
  /** The x402 v1 requirements behind the candidate, when the server spoke v1. */
  readonly v1: PaymentRequirementsV1 | undefined
  reservation: Reservation | undefined
  /** `tx`: the transfer's id, known from signing on. */
  transaction: string | undefined
  /** `tx`: the signed transfer, to send it again. */
  raw: string | undefined
  /** `tx`: proof lookup hints, such as `blockNumber`. */
  hints: Record<string, unknown>
  /** The header that carries the proof. */
  header: { name: string; value: string }
  /** The x402 v2 payload behind the header. */
  payload: PaymentPayload | undefined
  /** Whether an earlier payment is proven or resent instead of paying anew. */
  reused: boolean
  /** `"0.001 USDC"`. */
  display(): string
  record(type: LedgerRecordType, extra?: Partial<LedgerRecord>): Promise<void>
  /** Reserves budget under the policy and records the quote. */
  reserve(options: ClientFetchOptions): Promise<void>
  /** Takes over a payment from the ledger: its id, transaction and open reservation. */
  adopt(record: LedgerRecord): void
  /** The money moved: the reservation counts as spent. Idempotent. */
  commit(reason: string, transaction?: string): void
  /** The money provably did not and cannot move: the budget is freed and it is recorded. */
  release(reason: string, error?: string): Promise<void>
}

/**
 * Opens a payment session for a chosen candidate.
 * @example const session = openPaymentSession(runtime, { candidate, url })
 * @internal
 */
export function openPaymentSession(
  runtime: ClientRuntime,
  init: { candidate: Candidate; url: string; v1?: PaymentRequirementsV1 | undefined },
): PaymentSession {
  const { candidate, url } = init
  const { requirements } = candidate
  const lifecycle = () => ({
    paymentId: session.id,
    url,
    scheme: requirements.scheme,
    network: requirements.network,
    asset: requirements.asset,
    amount: candidate.amount,
  })
  const session: PaymentSession = {
    id: crypto.randomUUID(),
    url,
    candidate,
    v1: init.v1,
    reservation: undefined,
    transaction: undefined,
    raw: undefined,
    hints: {},
    header: { name: '', value: '' },
    payload: undefined,
    reused: false,
    display: () => `${formatAmount(candidate.amount, candidate.asset.decimals)} ${candidate.asset.symbol}`,
    record: (type, extra = {}) =>
      runtime.ledger.append({
        id: session.id,
        type,
        at: runtime.now(),
        url,
        scheme: requirements.scheme,
        network: requirements.network,
        asset: requirements.asset,
        payTo: requirements.payTo,
        amount: candidate.amount.toString(),
        ...extra,
      }),
    async reserve(options) {
      session.reservation = await runtime.policy.reserve(
        { url, requirements, asset: candidate.asset, amount: candidate.amount },
        options.approvedUpTo === undefined ? {} : { approvedUpTo: options.approvedUpTo },
      )
      runtime.open.set(session.id, session.reservation)
      runtime.emit({ type: 'reserved', ...lifecycle() })
      await session.record('quote')
    },
    adopt(record) {
      session.id = record.id
      session.reused = true
      session.transaction = record.transaction
      const raw = record.payload?.raw
      if (typeof raw === 'string') session.raw = raw
      session.reservation = runtime.open.get(record.id)
      runtime.unsettled.delete(record.id)
    },
    commit(reason, transaction) {
      runtime.unsettled.delete(session.id)
      if (!runtime.open.has(session.id)) return
      runtime.open.delete(session.id)
      if (session.reservation !== undefined) runtime.policy.commit(session.reservation)
      const id = transaction ?? session.transaction
      runtime.emit({
        type: 'settled',
        ...lifecycle(),
        reason,
        ...(id === undefined ? {} : { transaction: id }),
      })
    },
    async release(reason, error) {
      runtime.unsettled.delete(session.id)
      if (session.reservation !== undefined && runtime.open.has(session.id)) {
        runtime.policy.release(session.reservation)
      }
      runtime.open.delete(session.id)
      runtime.emit({ type: 'released', ...lifecycle(), reason })
      await session.record(
        error === undefined ? 'released' : 'failed',
        error === undefined
          ? {}
          : { error, ...(session.transaction ? { transaction: session.transaction } : {}) },
      )
    },
  }
  return session
}
