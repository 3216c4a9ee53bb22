import type { Network } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import type { SettleResponse } from '../protocol/types.js'
import { createSettleHeaders } from './create-settle-headers.js'

/** What {@link pendingSettlementResponse} builds. @internal */
export type PendingSettlementAnswer = {
  /** `503 settlement_pending` with `Retry-After` and the pending `PAYMENT-RESPONSE`. */
  response: Response
  error: TollgateError
  /** The `PAYMENT-RESPONSE` carried, as an object. */
  settlement: SettleResponse
}

/**
 * The answer while an `exact` settlement is broadcast but not confirmed: never "failed", since it
 * may still land, but `503 settlement_pending` with `Retry-After` and a `PAYMENT-RESPONSE` of
 * `{ success: false, transaction, errorReason: 'settlement_pending' }`, so the payer retries the
 * same authorization and learns the outcome.
 * @internal
 * @example pendingSettlementResponse({ network: 'eip155:8453', payer: '0xabc', transaction: '0x…', retryAfter: 2 })
 */
export function pendingSettlementResponse(pending: {
  network: Network
  payer: string
  transaction: string
  /** Seconds the payer waits before retrying. */
  retryAfter: number
}): PendingSettlementAnswer {
  const settlement: SettleResponse = {
    success: false,
    transaction: pending.transaction,
    network: pending.network,
    payer: pending.payer,
    errorReason: 'settlement_pending',
  }
  const error = new TollgateError(
    'settlement_pending',
    'The payment was broadcast and is not confirmed yet; retry the same payment to get the outcome.',
    { retryAfter: pending.retryAfter, details: { transaction: pending.transaction } },
  )
  const response = createErrorResponse(error, { headers: createSettleHeaders(settlement) })
  return { response, error, settlement }
}
