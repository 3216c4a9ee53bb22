import type { TollgateError } from '../errors/tollgate-error.js'
import { createPaymentRequiredResponse } from '../protocol/create-payment-required-response.js'
import { headerNames } from '../protocol/headers.js'
import type { PaymentRequired } from '../protocol/types.js'
import { buildMppChallenges } from './build-mpp-challenges.js'
import { buildPaymentRequired } from './build-payment-required.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import type { Offer } from './offers.js'
import type { GateRequest } from './types.js'

/**
 * Every 402 a gate sends: the x402 body and `PAYMENT-REQUIRED` (when x402 is on) and the MPP
 * `WWW-Authenticate: Payment` challenges (when MPP is on), fresh, with the error's code.
 * @internal
 * @example const { response, paymentRequired } = await paymentRequiredAnswer(runtime, route, offers, request, { error })
 */
export async function paymentRequiredAnswer(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: readonly Offer[],
  request: GateRequest,
  options: { error?: TollgateError; headers?: HeadersInit } = {},
): Promise<{ response: Response; paymentRequired: PaymentRequired }> {
  // The object carries the same `error` as the header it is encoded in.
  const paymentRequired: PaymentRequired = {
    ...(await buildPaymentRequired(runtime, route, offers, request)),
    error: options.error?.code ?? 'payment_required',
  }
  const challenges = await buildMppChallenges(runtime, route, offers, request)
  const response = createPaymentRequiredResponse(paymentRequired, {
    ...options,
    ...(challenges.length === 0 ? {} : { challenges }),
  })
  if (!runtime.protocols.x402) response.headers.delete(headerNames.paymentRequired)
  return { response, paymentRequired }
}
