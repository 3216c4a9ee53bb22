import type { ClientRuntime } from './client-runtime.js'
import type { PaymentSession } from './payment-session.js'

/**
 * Notes that a payment's outcome is unknown (refused, lost or unanswered): its budget stays
 * reserved in the ledger, and for an `exact` authorization the chain is asked once its
 * `validBefore` has passed (see {@link reconcileAuthorizations}).
 * @example scheduleReconcile(runtime, session)
 * @internal
 */
export function scheduleReconcile(runtime: ClientRuntime, session: PaymentSession): void {
  // Only authorizations (x402 `exact` and MPP) end by themselves; a `tx` transfer was committed.
  if (session.candidate.requirements.scheme === 'tx') return
  const authorization = session.payload?.payload.authorization as { validBefore?: unknown } | undefined
  const validBefore = Number(authorization?.validBefore)
  if (!Number.isSafeInteger(validBefore)) return
  runtime.nextReconcileAt = Math.min(runtime.nextReconcileAt, validBefore * 1000)
}
