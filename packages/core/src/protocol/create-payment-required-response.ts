import type { TollgateError } from '../errors/tollgate-error.js'
import { problemTypeForCode } from '../mpp/problem-type-for-code.js'
import { headerNames } from './headers.js'
import { encodePaymentRequiredHeader } from './payment-required-header.js'
import type { PaymentRequired } from './types.js'

/** Options of {@link createPaymentRequiredResponse}. */
export type CreatePaymentRequiredResponseOptions = {
  /** Why the last payment attempt failed; its code becomes `error` in header and body. */
  error?: TollgateError
  /** A sentence for people and agents reading the body. */
  message?: string
  /** Extra headers, such as `Retry-After`. */
  headers?: HeadersInit
  /**
   * MPP challenges (`buildPaymentChallenge`), one `WWW-Authenticate` field each; with them the body
   * is also an RFC 9457 problem details object (`type`, `title`, `status`, `detail`).
   */
  challenges?: readonly string[]
}

/**
 * Builds the 402 every adapter sends: the `PAYMENT-REQUIRED` header (base64 JSON) and a readable
 * JSON body `{ error, message, accepts, resource, x402Version }`. With MPP `challenges`, also one
 * `WWW-Authenticate` field per challenge and the problem details members in the body.
 *
 * @example return createPaymentRequiredResponse(paymentRequired, { message: 'Search costs $0.001.' })
 */
export function createPaymentRequiredResponse(
  paymentRequired: PaymentRequired,
  options: CreatePaymentRequiredResponseOptions = {},
): Response {
  const code = options.error?.code ?? paymentRequired.error ?? 'payment_required'
  const withError: PaymentRequired = { ...paymentRequired, error: code }
  const headers = new Headers(options.headers)
  headers.set(headerNames.paymentRequired, encodePaymentRequiredHeader(withError))
  headers.set('content-type', 'application/json; charset=utf-8')
  headers.set('cache-control', 'no-store')
  if (options.error?.retryAfter !== undefined)
    headers.set('retry-after', String(Math.ceil(options.error.retryAfter)))
  const message = options.error?.message ?? options.message ?? 'Payment is required to access this resource.'
  for (const challenge of options.challenges ?? []) headers.append('www-authenticate', challenge)
  const problem =
    options.challenges === undefined || options.challenges.length === 0
      ? {}
      : { type: problemTypeForCode(code), title: 'Payment Required', status: 402, detail: message }
  const body = {
    ...problem,
    error: code,
    message,
    ...(options.error?.details ? { details: options.error.toJSON().details } : {}),
    x402Version: 2,
    resource: paymentRequired.resource,
    accepts: paymentRequired.accepts,
  }
  return new Response(JSON.stringify(body), { status: 402, headers })
}
