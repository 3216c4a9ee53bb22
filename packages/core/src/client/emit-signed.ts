import type { ClientRuntime } from './client-runtime.js'
import type { PaymentSession } from './payment-session.js'

/**
 * Tells the client's listeners that an authorization was signed and recorded for `session`: the
 * `signed` event (with the authorization's `validBefore` when it is a safe integer) and the
 * `authorization_signed` event. One home for `exact` and MPP payments.
 *
 * @example emitSigned(runtime, session, 'exact', payload.authorization.validBefore)
 * @internal
 */
export function emitSigned(
  runtime: ClientRuntime,
  session: PaymentSession,
  scheme: string,
  validBeforeValue: unknown,
): void {
  const { requirements } = session.candidate
  const validBefore = Number(validBeforeValue)
  runtime.emit({
    type: 'signed',
    paymentId: session.id,
    url: session.url,
    scheme,
    network: requirements.network,
    asset: requirements.asset,
    amount: session.candidate.amount,
    ...(Number.isSafeInteger(validBefore) ? { validBefore } : {}),
  })
  runtime.emit({
    type: 'authorization_signed',
    url: session.url,
    network: requirements.network,
    display: session.display(),
  })
}
