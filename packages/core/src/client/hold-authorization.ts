import type { ClientRuntime } from './client-runtime.js'
import type { PaymentSession } from './payment-session.js'

/**
 * Keeps an `exact` payment whose outcome is unknown (refused, lost or unanswered) reserved: the
 * signed authorization can still settle until its `validBefore`, whatever the server said.
 * {@link reconcileAuthorizations} ends it once the chain decides.
 * @example holdAuthorization(runtime, session)
 * @internal
 */
export function holdAuthorization(runtime: ClientRuntime, session: PaymentSession): void {
  if (session.candidate.requirements.scheme !== 'exact' || !runtime.open.has(session.id)) return
  const authorization = session.payload?.payload.authorization as
    | { from?: unknown; nonce?: unknown; validBefore?: unknown }
    | undefined
  const validBefore = Number(authorization?.validBefore)
  if (typeof authorization?.from !== 'string' || typeof authorization.nonce !== 'string') return
  runtime.unsettled.set(session.id, {
    session,
    authorizer: authorization.from,
    nonce: authorization.nonce,
    // Unreadable: never provably expired, so never released.
    validBefore: Number.isSafeInteger(validBefore) ? validBefore : Number.MAX_SAFE_INTEGER,
  })
}
