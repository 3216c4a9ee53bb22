import { checkRouteDiscovery } from '../discovery/compile-discovery.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { compareRouteSpecificity } from '../route/compare-route-specificity.js'
import { parseRoutePattern, type RoutePattern } from '../route/parse-route-pattern.js'
import { buildOffers, type Offer, type OfferContext } from './offers.js'
import type { CreateGateOptions, RouteConfig } from './types.js'

/** A priced route, ready to match. @internal */
export type CompiledRoute = {
  key: string
  pattern: RoutePattern
  config: RouteConfig
  /** Offers of a fixed price, built once at startup (which also validates the configuration). */
  staticOffers?: Offer[]
}

/**
 * Validates the gate's routes and sorts them most specific first, building the offers of fixed
 * prices once.
 * @internal
 * @throws {TollgateError} `config_invalid` for a bad pattern, a missing price or a bad pass
 */
export function compileRoutes(
  routes: CreateGateOptions['routes'],
  context: OfferContext,
  bazaarBytes = Number.POSITIVE_INFINITY,
): CompiledRoute[] {
  const compiled: CompiledRoute[] = []
  for (const [key, config] of Object.entries(routes)) {
    const pattern = parseRoutePattern(key)
    if (typeof config?.price !== 'function' && (config?.price === undefined || config.price === null)) {
      throw new TollgateError('config_invalid', `Route "${key}" has no price.`)
    }
    if (
      config.pass !== undefined &&
      !(Number.isInteger(config.pass.ttlSeconds) && config.pass.ttlSeconds > 0)
    ) {
      throw new TollgateError(
        'config_invalid',
        `Route "${key}" sells a pass without a positive integer ttlSeconds.`,
      )
    }
    for (const pattern of config.pass?.scope ?? []) parseRoutePattern(pattern)
    if (config.discovery !== false) checkRouteDiscovery(key, pattern, config.discovery, bazaarBytes)
    const staticOffers =
      typeof config.price === 'function' ? undefined : buildOffers({ key, ...config }, config.price, context)
    compiled.push({ key, pattern, config, ...(staticOffers === undefined ? {} : { staticOffers }) })
  }
  return compiled.sort((left, right) => compareRouteSpecificity(left.pattern, right.pattern))
}
