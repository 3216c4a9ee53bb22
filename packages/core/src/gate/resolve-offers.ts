import type { Price } from '../price/parse-price.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import { buildOffers, type Offer } from './offers.js'
import type { GateRequest } from './types.js'

/**
 * The offers of a route for one request: the static ones, or those of the price function's
 * answer; `null` when the price function makes this request free.
 * @internal
 */
export async function resolveOffers(
  runtime: GateRuntime,
  route: CompiledRoute,
  request: GateRequest,
): Promise<Offer[] | null> {
  if (route.staticOffers) return route.staticOffers
  const price = await (route.config.price as (request: GateRequest) => Price | null | Promise<Price | null>)(
    request,
  )
  if (price === null) return null
  return buildOffers({ key: route.key, ...route.config }, price, runtime.offerContext)
}
