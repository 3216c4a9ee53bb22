import type { TollgateError } from '../errors/tollgate-error.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import { callHook } from './call-hook.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import type { Offer } from './offers.js'
import { paymentRequiredAnswer } from './payment-required-answer.js'
import type { GateDecision, GateRequest } from './types.js'

/**
 * Turns a refusal into a decision: a 402 with fresh requirements (and MPP challenges) for payment errors, otherwise the
 * error's own status.
 * @internal
 */
export async function rejectRequest(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: readonly Offer[] | null,
  request: GateRequest,
  error: TollgateError,
): Promise<GateDecision> {
  callHook(runtime, 'onReject', { error, route: route.key, request })
  if (error.status === 402 && offers !== null) {
    const { response, paymentRequired } = await paymentRequiredAnswer(runtime, route, offers, request, {
      error,
    })
    return { outcome: 'rejected', error, response, paymentRequired }
  }
  return { outcome: 'rejected', error, response: createErrorResponse(error) }
}
