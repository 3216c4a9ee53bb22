import { TollgateError } from '../errors/tollgate-error.js'
import type { SettleResponse } from '../protocol/types.js'
import type { ExactInput, ExactScheme } from '../scheme/types.js'
import { callHook } from './call-hook.js'
import type { PendingSettlementRecord, SettledAuthorization } from './claim-exact-authorization.js'
import { claimSettledTransfer } from './claim-settled-transfer.js'
import type { CompiledRoute } from './compile-routes.js'
import { createSettleHeaders } from './create-settle-headers.js'
import type { GateRuntime } from './gate-runtime.js'
import { issueRoutePass } from './issue-route-pass.js'
import type { Offer } from './offers.js'
import { pendingSettlementResponse } from './pending-settlement-response.js'
import { answers, replayDecision } from './replay-response.js'
import type { GatePaid, GateRejected, GateRequest, PaymentReceipt } from './types.js'

/** What resolving a pending settlement needs. @internal */
export type ResolvePendingSettlementInput = {
  scheme: ExactScheme
  input: ExactInput
  route: CompiledRoute
  offer: Offer
  request: GateRequest
  payer: string
  pending: PendingSettlementRecord
  /** Commits or releases the holder's claim. */
  resume: {
    commit(settled: Omit<SettledAuthorization, 'proof'>): Promise<void>
    release(): Promise<void>
  }
}

/** Seconds to wait when the scheme cannot tell where a settlement stands. */
const UNKNOWN_RETRY_AFTER = 2

/**
 * Answers a retry of an authorization whose settlement is pending, from the chain: `confirmed`
 * commits the authorization and the transfer's on-chain identity, and replays the kept response
 * (`Payment-Replay: true`), or admits the request as paid when none was kept;
 * `pending` answers `503 settlement_pending` again with the hash (the scheme broadcasts the
 * recorded transaction again when the node never got it); `failed` (provably cannot land)
 * releases the authorization and answers `released`, so the caller claims it afresh.
 * @internal
 * @throws {TollgateError} from `settlementStatus`: `invalid_payload`, `rpc_unavailable`; `store_unavailable`;
 * `payment_already_used` when the kept response answered another request
 */
export async function resolvePendingSettlement(
  runtime: GateRuntime,
  resolving: ResolvePendingSettlementInput,
): Promise<GatePaid | GateRejected | { outcome: 'released' }> {
  const { scheme, offer, pending, payer } = resolving
  const network = offer.network.network
  const status =
    scheme.settlementStatus === undefined
      ? ({ status: 'pending', transaction: pending.transaction, retryAfter: UNKNOWN_RETRY_AFTER } as const)
      : await scheme.settlementStatus({
          input: resolving.input,
          transaction: pending.transaction,
          ...(pending.raw === undefined ? {} : { raw: pending.raw }),
        })
  if (status.status === 'failed') {
    await resolving.resume.release()
    return { outcome: 'released' }
  }
  if (status.status === 'pending') {
    const answer = pendingSettlementResponse({ network, payer, ...status })
    callHook(runtime, 'onReject', {
      error: answer.error,
      route: resolving.route.key,
      request: resolving.request,
    })
    return { outcome: 'rejected', response: answer.response, error: answer.error }
  }
  const { response } = pending
  await resolving.resume.commit({
    transaction: status.transaction,
    payer: status.payer,
    ...(response === undefined ? {} : { response }),
  })
  await claimSettledTransfer(runtime, network, status)
  if (response === undefined) return settledDecision(runtime, resolving, status)
  if (!answers(response, resolving.request)) {
    throw new TollgateError(
      'payment_already_used',
      'This authorization has already paid for another request.',
      {
        details: { network },
      },
    )
  }
  const settlement: SettleResponse = {
    success: true,
    transaction: status.transaction,
    network,
    payer: status.payer,
  }
  return replayDecision(response, settlement)
}

/** The request is paid by a settlement that confirmed after its first answer: serve it now. */
async function settledDecision(
  runtime: GateRuntime,
  resolving: ResolvePendingSettlementInput,
  settled: { transaction: string; payer: string },
): Promise<GatePaid> {
  const { offer, route, request } = resolving
  const pass = await issueRoutePass(runtime, offer, route, settled.payer, request)
  const receipt: PaymentReceipt = {
    method: 'payment',
    route: route.key,
    payer: settled.payer,
    scheme: 'exact',
    network: offer.network.network,
    asset: offer.asset.address,
    amount: offer.amount.toString(),
    transaction: settled.transaction,
    ...(pass === undefined ? {} : { pass }),
  }
  const settlement: SettleResponse = {
    success: true,
    transaction: settled.transaction,
    network: offer.network.network,
    payer: settled.payer,
    ...(pass === undefined ? {} : { extensions: { pass } }),
  }
  callHook(runtime, 'onPayment', { receipt, request })
  const headers = createSettleHeaders(settlement)
  const completion = Promise.resolve({ ok: true as const, headers, receipt, settlement })
  return {
    outcome: 'paid',
    receipt,
    headers,
    settlement,
    deferred: false,
    settles: false,
    headersFor: () => headers,
    complete: () => completion,
    cancel: async () => {},
  }
}
