import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import { headerNames } from '../protocol/headers.js'
import { createPaymentIdentifier, withPaymentIdentifier } from '../protocol/payment-identifier.js'
import { encodePaymentSignatureHeader, encodeXPaymentHeader } from '../protocol/payment-signature-header.js'
import type { ClientRuntime } from './client-runtime.js'
import type { ClientFetchOptions } from './client-types.js'
import { emitSigned } from './emit-signed.js'
import type { PaymentSession } from './payment-session.js'

/**
 * Pays an `exact` requirement: resends an authorization that is still valid and was never
 * credited (same nonce: it settles at most once), or reserves budget and signs a new one valid
 * from 0 until the server's `maxTimeoutSeconds` capped by `maxAuthorizationSeconds`. Sets the
 * session's payload and header (v2 `PAYMENT-SIGNATURE`, or v1 `X-PAYMENT`). Only an unfinished
 * authorization of the same request is resent, with the x402 `payment-identifier` it went out with.
 * @example await payExact(runtime, session, { signal })
 * @throws {TollgateError} `policy_*`, `wallet_unavailable`, `payment_failed`
 * @internal
 */
export async function payExact(
  runtime: ClientRuntime,
  session: PaymentSession,
  options: ClientFetchOptions & { signal?: AbortSignal | undefined },
): Promise<void> {
  const { requirements, wallet, asset } = session.candidate
  if (wallet.authorize === undefined)
    throw new TollgateError('wallet_unavailable', 'The wallet cannot sign authorizations.')
  const reused = await session.findUnfinishedAuthorization('exact')
  let payload = reused?.payload
  if (
    reused !== undefined &&
    payload !== undefined &&
    authorizedValue(payload) === session.candidate.amount
  ) {
    session.adopt(reused)
  } else {
    if (reused !== undefined) await runtime.ledger.unhold(reused.id, session.holder)
    await session.reserve(options)
    const validForSeconds = Math.min(requirements.maxTimeoutSeconds, runtime.maxAuthorizationSeconds)
    try {
      payload = await wallet.authorize({
        requirements,
        asset,
        now: runtime.now(),
        validForSeconds,
        ...(options.signal ? { signal: options.signal } : {}),
      })
    } catch (error) {
      const failure = toTollgateError(error, 'payment_failed')
      await session.release('not_signed', failure.code)
      throw failure
    }
    session.paymentIdentifier = createPaymentIdentifier()
    await session.record('authorized', { payload, paymentIdentifier: session.paymentIdentifier })
    emitSigned(
      runtime,
      session,
      'exact',
      (payload.authorization as { validBefore?: unknown } | undefined)?.validBefore,
    )
  }
  // An authorization recorded before identifiers were sent gets one now, kept with the session.
  session.paymentIdentifier ??= createPaymentIdentifier()
  setHeader(session, payload as Record<string, unknown>)
}

function setHeader(session: PaymentSession, payload: Record<string, unknown>): void {
  const { requirements } = session.candidate
  const extensions = withPaymentIdentifier(session.declared, session.paymentIdentifier as string)
  session.payload = { x402Version: 2, accepted: requirements, payload, ...(extensions ? { extensions } : {}) }
  session.header =
    session.v1 === undefined
      ? { name: headerNames.paymentSignature, value: encodePaymentSignatureHeader(session.payload) }
      : {
          name: headerNames.xPayment,
          value: encodeXPaymentHeader({
            x402Version: 1,
            scheme: 'exact',
            network: session.v1.network,
            payload,
          }),
        }
}

function authorizedValue(payload: Record<string, unknown>): bigint | undefined {
  const value = (payload.authorization as { value?: unknown } | undefined)?.value
  return typeof value === 'string' && /^\d{1,78}$/.test(value) ? BigInt(value) : undefined
}
