import { declarePaymentIdentifier, PAYMENT_IDENTIFIER } from '../protocol/payment-identifier.js'
import type { PaymentRequired, PaymentRequirements } from '../protocol/types.js'
import { buildRequirements } from './build-requirements.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import type { Offer } from './offers.js'
import type { GateRequest } from './types.js'

/**
 * Builds the 402 body of a route: the resource and every way to pay it.
 * @internal
 */
export async function buildPaymentRequired(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: readonly Offer[],
  request: GateRequest,
): Promise<PaymentRequired> {
  const accepts: PaymentRequirements[] = []
  for (const offer of offers) accepts.push(await buildRequirements(runtime, route, offer))
  return {
    x402Version: 2,
    resource: {
      url: request.url,
      ...(route.config.description === undefined ? {} : { description: route.config.description }),
      ...(route.config.mimeType === undefined ? {} : { mimeType: route.config.mimeType }),
    },
    accepts,
    // x402's payment-identifier: clients may (or, when required, must) name each payment.
    extensions: {
      [PAYMENT_IDENTIFIER]: declarePaymentIdentifier(runtime.options.paymentIdentifier?.required === true),
    },
  }
}
