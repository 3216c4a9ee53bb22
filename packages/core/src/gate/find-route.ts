import type { CompiledRoute } from './compile-routes.js'

/**
 * Finds the most specific priced route for a method and percent-encoded pathname.
 * @internal
 */
export function findRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): CompiledRoute | undefined {
  for (const route of routes) if (route.pattern.match(method, pathname) !== undefined) return route
  return undefined
}
