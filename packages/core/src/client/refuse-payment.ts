import { TollgateError } from '../errors/tollgate-error.js'
import type { ClientRuntime } from './client-runtime.js'
import type { PaymentSession } from './payment-session.js'
import { scheduleReconcile } from './schedule-reconcile.js'

// Refusals after which a `tx` transfer can never pay for anything at that gate.
const FINAL_FOR_TRANSFER = new Set([
  'payment_already_used',
  'verify_tx_failed',
  'verify_recipient_mismatch',
  'verify_asset_mismatch',
  'verify_amount_insufficient',
  'verify_outside_window',
  'verify_chain_mismatch',
])
// The client's own proof was already credited (an earlier answer was lost): the money moved.
/** Refusals that mean the server already accepted this very payment. @internal */
export const ALREADY_USED = new Set(['payment_already_used', 'invalid_exact_evm_nonce_already_used'])

/**
 * The server refused a payment with `code`: records it and returns the error to surface, carrying
 * the server's reason. A refusal never frees budget on the server's word: a `tx` transfer was
 * committed when it confirmed; an `exact` authorization stays reserved until the chain decides.
 * `payment_already_used` for the client's own proof means spent.
 * @example throw await refusePayment(runtime, session, 'invalid_exact_evm_payload_signature')
 * @throws {TollgateError} `ledger_unavailable`
 * @internal
 */
export async function refusePayment(
  runtime: ClientRuntime,
  session: PaymentSession,
  code: string,
): Promise<TollgateError> {
  const scheme = session.candidate.requirements.scheme
  const alreadyUsed = ALREADY_USED.has(code)
  if (alreadyUsed) await session.commit('already_used')
  else scheduleReconcile(runtime, session)
  if (scheme !== 'tx' || FINAL_FOR_TRANSFER.has(code)) {
    await session.record('rejected', {
      error: code,
      ...(session.transaction ? { transaction: session.transaction } : {}),
    })
  }
  runtime.emit({ type: 'payment_rejected', url: session.url, code })
  const authorization = session.payload?.payload.authorization as { validBefore?: unknown } | undefined
  // An authorization (x402 `exact` or MPP) stays reserved until it can no longer settle.
  const reservedUntil = scheme !== 'tx' && !alreadyUsed ? Number(authorization?.validBefore) : Number.NaN
  return new TollgateError('payment_rejected', `The server refused the payment (${code}).`, {
    details: {
      code,
      reason: code,
      url: session.url,
      scheme,
      ...(session.transaction ? { transaction: session.transaction } : {}),
      ...(Number.isSafeInteger(reservedUntil) ? { reservedUntil } : {}),
      ...(alreadyUsed
        ? { hint: 'The server had already accepted this payment; an earlier response was lost.' }
        : {}),
    },
  })
}
