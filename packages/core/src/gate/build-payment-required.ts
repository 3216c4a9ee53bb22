import { BAZAAR, buildBazaarExtension } from '../discovery/build-bazaar-extension.js'
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
  const bazaar = bazaarFor(runtime, route, request)
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
      // x402's discovery extension: how to call this route, for facilitators' and directories' catalogs.
      ...(bazaar === undefined ? {} : { [BAZAAR]: bazaar }),
    },
  }
}

function bazaarFor(runtime: GateRuntime, route: CompiledRoute, request: GateRequest) {
  if (!runtime.discoveryOn || route.config.discovery === false) return undefined
  const method = request.method.toUpperCase()
  let params: Record<string, string> = {}
  try {
    params = route.pattern.match(method, new URL(request.url).pathname) ?? {}
  } catch {
    // The located URL is always absolute; without it the route is still described, without values.
  }
  return buildBazaarExtension({ method, pattern: route.pattern, params, discovery: route.config.discovery })
}
