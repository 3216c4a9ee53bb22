import { TollgateError } from '../errors/tollgate-error.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import type { SettleResponse } from '../protocol/types.js'
import type { ExactInput, ExactScheme } from '../scheme/types.js'
import { callHook } from './call-hook.js'
import type { CompiledRoute } from './compile-routes.js'
import { createSettleHeaders } from './create-settle-headers.js'
import type { GateRuntime } from './gate-runtime.js'
import type { KeptResponse } from './keep-response.js'
import type { Offer } from './offers.js'
import { paymentRequiredAnswer } from './payment-required-answer.js'
import { pendingSettlementResponse } from './pending-settlement-response.js'
import type { GateCompletion, GateRequest, PaymentReceipt } from './types.js'

/** What settling one verified `exact` authorization needs. @internal */
export type SettleExactPaymentInput = {
  /** The status the handler answered. */
  status: number
  /** The handler's response, kept for replay. Default: none. */
  kept?: KeptResponse
  scheme: ExactScheme
  input: ExactInput
  route: CompiledRoute
  offer: Offer
  offers: readonly Offer[]
  request: GateRequest
  receipt: PaymentReceipt
  pass: IssuedPass | undefined
  payer: string
  /** Frees the authorization's claim. */
  release: () => Promise<void>
  /** Marks the authorization spent and claims the settled transfer's on-chain identity. */
  commit: (settled: {
    transaction: string
    payer: string
    logIndex?: number
    response?: KeptResponse
  }) => Promise<void>
  /**
   * Records the pending settlement's hash (the kept response, the signed bytes), holding the
   * authorization in flight for its window. Throws when the claim is no longer this holder's.
   */
  markPending: (transaction: string, response?: KeptResponse, raw?: string) => Promise<void>
  /** Holds the authorization for its window, for a scheme that cannot report its settlement before broadcasting it. */
  holdForWindow: () => Promise<void>
  /** Renews the authorization's lease; throws when it lapsed and the claim is someone else's. */
  confirmHeld: () => Promise<void>
}

/**
 * Settles a verified `exact` authorization after the handler answered: nothing is settled when
 * the handler failed; a pending settlement (broadcast, not confirmed in time) becomes `503
 * settlement_pending` with its hash and keeps the authorization claimed; `settler_unfunded`
 * becomes a `503` that frees the authorization; any other failure becomes a 402 carrying the
 * failed `PAYMENT-RESPONSE`.
 * @internal
 */
export async function settleExactPayment(
  runtime: GateRuntime,
  settlement: SettleExactPaymentInput,
): Promise<GateCompletion> {
  const { offer, route, receipt, pass, request } = settlement
  if (settlement.status >= 400) {
    // The handler failed: nothing is settled, and the authorization stays usable.
    await settlement.release()
    return { ok: true, headers: new Headers(), receipt }
  }
  const started = runtime.now()
  // The settlement's transaction, once recorded: from then on it may land, whatever `settle` says.
  let recorded: string | undefined
  try {
    const { scheme, kept } = settlement
    // A holder whose lease lapsed (ARCHITECTURE.md G2) stops here, before the chain is asked anything.
    await notBroadcast(scheme.reportsSigned === true ? settlement.confirmHeld() : settlement.holdForWindow())
    const settled = await scheme.settle(settlement.input, {
      // The record exists before the money can move, so a retry on any instance, or on this one
      // restarted, finds it and asks the chain (ARCHITECTURE.md G8).
      onSigned: async ({ transaction, raw }) => {
        await notBroadcast(settlement.markPending(transaction, kept, raw))
        recorded = transaction
      },
    })
    await settlement.commit({ ...settled, ...(kept === undefined ? {} : { response: kept }) })
    const finalReceipt: PaymentReceipt = { ...receipt, transaction: settled.transaction }
    const response: SettleResponse = {
      success: true,
      transaction: settled.transaction,
      network: offer.network.network,
      payer: settled.payer,
      extensions: { ...(pass === undefined ? {} : { pass }), replay: { kept: kept !== undefined } },
    }
    callHook(runtime, 'onSettle', {
      network: offer.network.network,
      route: route.key,
      durationMs: runtime.now() - started,
      response,
    })
    callHook(runtime, 'onPayment', { receipt: finalReceipt, request })
    return { ok: true, headers: createSettleHeaders(response), receipt: finalReceipt, settlement: response }
  } catch (error) {
    const failure = TollgateError.is(error)
      ? error
      : new TollgateError('settlement_failed', 'The payment could not be settled.', { cause: error })
    const answer = await answerFailure(settlement, failure, recorded)
    callHook(runtime, 'onSettle', {
      network: offer.network.network,
      route: route.key,
      durationMs: runtime.now() - started,
      response: answer.settlement,
    })
    callHook(runtime, 'onReject', { error: failure, route: route.key, request })
    if (answer.response !== undefined)
      return { ok: false, error: answer.error, response: answer.response, settlement: answer.settlement }
    const { response, paymentRequired } = await paymentRequiredAnswer(
      runtime,
      route,
      settlement.offers,
      request,
      {
        error: failure,
        headers: createSettleHeaders(answer.settlement),
      },
    )
    return { ok: false, error: failure, response, paymentRequired, settlement: answer.settlement }
  }
}

/**
 * Keeps or frees the claim by what the failure says about the transfer, and builds the failed
 * `PAYMENT-RESPONSE`; a `response` is set for the retryable 503s, none for a 402.
 */
async function answerFailure(
  settlement: SettleExactPaymentInput,
  failure: TollgateError,
  recorded: string | undefined,
): Promise<{ settlement: SettleResponse; response?: Response; error: TollgateError }> {
  const network = settlement.offer.network.network
  const reported = failure.details?.transaction
  const transaction = typeof reported === 'string' ? reported : recorded
  const mayLand =
    failure.code === 'settlement_pending' || (recorded !== undefined && failure.details?.settled !== false)
  if (mayLand && transaction !== undefined) {
    // It may still land: the claim stays in flight, and a retry asks the chain how it ended.
    await settlement.markPending(transaction, settlement.kept).catch(() => {})
    return pendingSettlementResponse({
      network,
      payer: settlement.payer,
      transaction,
      retryAfter: failure.retryAfter ?? 2,
    })
  }
  // Only a transfer that surely did not happen frees the authorization for another try.
  const unfunded = failure.code === 'settler_unfunded'
  if (unfunded || failure.details?.settled === false) await settlement.release()
  if (failure.code === 'payment_in_progress' || failure.code === 'store_unavailable') {
    // The settlement could not be recorded (a lapsed lease, the store down): nothing was sent.
    return {
      settlement: {
        success: false,
        transaction: '',
        network,
        payer: settlement.payer,
        errorReason: failure.code,
      },
      error: failure,
      response: createErrorResponse(failure),
    }
  }
  const response: SettleResponse = {
    success: false,
    transaction: '',
    network,
    payer: settlement.payer,
    errorReason: failure.code,
  }
  if (!unfunded) return { settlement: response, error: failure }
  return {
    settlement: response,
    error: failure,
    response: createErrorResponse(failure, { headers: createSettleHeaders(response) }),
  }
}

/** A failure to record the settlement, marked as one before anything was broadcast. */
async function notBroadcast(recording: Promise<void>): Promise<void> {
  try {
    await recording
  } catch (error) {
    const failure = TollgateError.is(error)
      ? error
      : new TollgateError('store_unavailable', 'The settlement could not be recorded.', {
          cause: error,
          retryAfter: 1,
        })
    throw new TollgateError(failure.code, failure.message, {
      cause: failure.cause,
      details: { ...failure.details, settled: false },
      retryAfter: failure.retryAfter ?? 1,
    })
  }
}
