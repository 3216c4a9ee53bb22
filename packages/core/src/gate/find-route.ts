import { pathVariants } from '../route/path-variants.js'
import type { CompiledRoute } from './compile-routes.js'

/** A priced route and the form of the path it matched. @internal */
export type FoundRoute = { route: CompiledRoute; pathname: string }

/**
 * Finds the priced route for a method and a raw, percent-encoded pathname. The path as received is
 * tried first (how Express routes it), then its normal form (decoded, `//` and dot segments
 * resolved), so a path a router could serve from a priced handler is never free.
 * @internal
 */
export function findRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): FoundRoute | undefined {
  for (const variant of pathVariants(pathname)) {
    for (const route of routes) {
      if (route.pattern.match(method, variant) !== undefined) return { route, pathname: variant }
    }
  }
  return undefined
}
