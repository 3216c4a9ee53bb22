import { hasPaymentScheme } from '../mpp/has-payment-scheme.js'
import { requestHeaderKeys as keys } from '../protocol/headers.js'
import type { GateRuntime } from './gate-runtime.js'
import type { GateRequest } from './types.js'

/** The payment a request carries, by protocol; `null` where none. @internal */
export type SentPayment = {
  /** x402 v2 `PAYMENT-SIGNATURE`. */
  signature: string | null
  /** x402 v1 `X-PAYMENT`, read only without a v2 header. */
  v1: string | null
  /** MPP `Authorization: Payment …`, read only without an x402 header. */
  mpp: string | null
}

/**
 * Finds the payment headers of the protocols the gate speaks. `Authorization` counts only with the
 * `Payment` scheme: a caller's own `Bearer` (or any other) credential is not the gate's and is
 * passed on untouched. When a request carries both, the x402 header is the payment.
 * @internal
 * @example const sent = readPaymentHeaders(runtime, request.headers)
 */
export function readPaymentHeaders(runtime: GateRuntime, headers: GateRequest['headers']): SentPayment {
  const signature = runtime.protocols.x402 ? headers.get(keys.paymentSignature) : null
  const v1 = runtime.protocols.x402 && signature === null ? headers.get(keys.xPayment) : null
  const authorization = headers.get(keys.authorization)
  const mpp =
    runtime.protocols.mpp && signature === null && v1 === null && hasPaymentScheme(authorization)
      ? authorization
      : null
  return { signature, v1, mpp }
}

/**
 * Whether a request carries a payment of a protocol the gate speaks: what {@link readPaymentHeaders}
 * finds, without building its answer (a pass ride asks this on every request).
 * @internal
 */
export function carriesPayment(runtime: GateRuntime, headers: GateRequest['headers']): boolean {
  const { x402, mpp } = runtime.protocols
  if (x402 && (headers.get(keys.paymentSignature) !== null || headers.get(keys.xPayment) !== null)) {
    return true
  }
  return mpp && hasPaymentScheme(headers.get(keys.authorization))
}
