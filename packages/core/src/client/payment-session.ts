import { formatAmount } from '../amount/format-amount.js'
import type { LedgerRecord, LedgerRecordType } from '../ledger/types.js'
import type { PaymentPayload, PaymentRequirementsV1 } from '../protocol/types.js'
import type { Candidate } from './choose-requirements.js'
import type { ClientRuntime } from './client-runtime.js'
import type { ClientFetchOptions } from './client-types.js'

/**
 * One payment from reservation to its end, with the only operations that move budget: reserve,
 * commit (the money moved) and release (it provably did not and cannot). The budget and the hold
 * that keeps other requests off the payment live in the ledger; every step is recorded there and
 * reported as a lifecycle event. @internal
 */
export type PaymentSession = {
  /** Payment id, shared by its ledger records and its spend; the reused payment's id on reuse. */
  id: string
  readonly url: string
  readonly candidate: Candidate
  /** The x402 v1 requirements behind the candidate, when the server spoke v1. */
  readonly v1: PaymentRequirementsV1 | undefined
  /** Whether budget is reserved for it in the ledger (reserved now, or by the payment reused). */
  reserved: boolean
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
  /** The digest of the request paid for (see `requestDigest`), recorded with every record. */
  readonly request: string
  /** The server's 402 `extensions`, echoed with the payment (x402's `payment-identifier`). */
  readonly declared: Record<string, unknown> | undefined
  /** The x402 `payment-identifier` sent with the current payload. */
  paymentIdentifier: string | undefined
  /** `"0.001 USDC"`. */
  display(): string
  record(type: LedgerRecordType, extra?: Partial<LedgerRecord>): Promise<void>
  /** Reserves budget under the policy, holds the payment for this request, and records the quote. */
  reserve(options: ClientFetchOptions): Promise<void>
  /**
   * This request's own unfinished authorization of `scheme` for this payee, asset and at least
   * this amount, still valid for a settlement, found and held for this request in one step (no
   * other request, client or process takes it); undefined when there is none.
   */
  findUnfinishedAuthorization(scheme: string): Promise<LedgerRecord | undefined>
  /** Takes over a payment the ledger found (and holds for this request): id, transaction, budget. */
  adopt(record: LedgerRecord): void
  /** The request that holds this payment in the ledger. */
  readonly holder: string
  /** The money moved: the reservation counts as spent. Once per session. */
  commit(reason: string, transaction?: string): Promise<void>
  /** The money provably did not and cannot move: the budget is freed and it is recorded. */
  release(reason: string, error?: string): Promise<void>
}

/** How long an authorization must stay valid to be resent: a settlement needs time before `validBefore`. */
const RESEND_MARGIN_MS = 10_000

/**
 * Opens a payment session for a chosen candidate, on behalf of one request (`holder`, with the
 * digest `request`); the ids it holds are added to `held`, for the request to let go of when it ends.
 * @example const session = openPaymentSession(runtime, { candidate, url, holder, held, request })
 * @internal
 */
export function openPaymentSession(
  runtime: ClientRuntime,
  init: {
    candidate: Candidate
    url: string
    v1?: PaymentRequirementsV1 | undefined
    holder: string
    held: Set<string>
    /** The request's digest (see `requestDigest`). */
    request: string
    /** The 402's `extensions`. */
    declared?: Record<string, unknown> | undefined
  },
): PaymentSession {
  const { candidate, url, holder, held, request } = init
  const { requirements } = candidate
  let ended = false
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
    reserved: false,
    transaction: undefined,
    raw: undefined,
    hints: {},
    header: { name: '', value: '' },
    payload: undefined,
    reused: false,
    request,
    declared: init.declared,
    paymentIdentifier: undefined,
    holder,
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
        request,
        ...extra,
      }),
    findUnfinishedAuthorization: (scheme) =>
      runtime.ledger.findUnusedAuthorization({
        scheme,
        network: requirements.network,
        asset: requirements.asset,
        payTo: requirements.payTo,
        minAmount: candidate.amount,
        // Only this request's unfinished payment: a retry gets its own answer back, never another's.
        request,
        // A settlement needs time before validBefore: never resend one about to expire.
        now: runtime.now() + RESEND_MARGIN_MS,
        take: runtime.holdFor(holder),
      }),
    async reserve(options) {
      await runtime.policy.reserve(
        { url, requirements, asset: candidate.asset, amount: candidate.amount },
        {
          id: session.id,
          hold: runtime.holdFor(holder),
          ...(options.approvedUpTo === undefined ? {} : { approvedUpTo: options.approvedUpTo }),
        },
      )
      held.add(session.id)
      session.reserved = true
      runtime.emit({ type: 'reserved', ...lifecycle() })
      await session.record('quote')
    },
    adopt(record) {
      session.id = record.id
      held.add(record.id)
      session.reused = true
      session.reserved = true
      session.transaction = record.transaction
      const raw = record.payload?.raw
      if (typeof raw === 'string') session.raw = raw
      // The same payload goes out again, so with the identifier it went out with.
      session.paymentIdentifier = record.paymentIdentifier
      // A confirmed transfer was committed when it confirmed.
      if (record.type === 'confirmed') ended = true
    },
    async commit(reason, transaction) {
      if (!session.reserved || ended) return
      ended = true
      await runtime.policy.commit({ id: session.id })
      const id = transaction ?? session.transaction
      runtime.emit({
        type: 'settled',
        ...lifecycle(),
        reason,
        ...(id === undefined ? {} : { transaction: id }),
      })
    },
    async release(reason, error) {
      if (session.reserved && !ended) await runtime.policy.release({ id: session.id })
      ended = true
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
