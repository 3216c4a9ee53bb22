import { buildOpenApiDocument } from '../discovery/build-openapi-document.js'
import { buildWellKnown } from '../discovery/build-well-known.js'
import { describeRoutePrice } from '../discovery/describe-route-price.js'
import type { GateDiscovery } from '../discovery/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { findRoute } from './find-route.js'
import type { GateRuntime } from './gate-runtime.js'
import { parsePublicUrl } from './parse-public-url.js'

/**
 * The `gate.discovery` builders: the documents the gate serves, as objects, for an origin given
 * here or the gate's `publicUrl`.
 * @internal
 */
export function createGateDiscovery(runtime: GateRuntime): GateDiscovery {
  const originOf = (origin: string | undefined) =>
    origin === undefined ? runtime.origin : parsePublicUrl(origin, 'origin')
  return {
    priceOf: (method, path) => {
      const found = findRoute(runtime.routes, method, path)
      return found === undefined ? undefined : describeRoutePrice(found.route)
    },
    openapi: (options = {}) =>
      buildOpenApiDocument({
        routes: runtime.routes,
        context: runtime.offerContext,
        discovery: runtime.discovery,
        origin: originOf(options.origin),
      }),
    wellKnown: (options = {}) => {
      const origin = originOf(options.origin)
      if (origin === undefined) {
        throw new TollgateError(
          'config_invalid',
          'The /.well-known/x402 document lists absolute URLs: give an origin or the gate a publicUrl.',
        )
      }
      return buildWellKnown(runtime.routes, runtime.discovery, origin)
    },
  }
}
