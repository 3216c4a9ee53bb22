import { parseRoutePattern, type RoutePattern } from './parse-route-pattern.js'

/**
 * Matches a request method and percent-encoded pathname against a route pattern, returning the
 * decoded `:name` parameters, or undefined when it does not match.
 *
 * @example matchRoute('GET /weather/:city', 'GET', '/weather/new%20york') // { city: 'new york' }
 * @example matchRoute('POST /jobs', 'GET', '/jobs') // undefined
 * @throws {TollgateError} `config_invalid` when `pattern` is a string that is not a valid route pattern
 */
export function matchRoute(
  pattern: string | RoutePattern,
  method: string,
  pathname: string,
): Record<string, string> | undefined {
  return (typeof pattern === 'string' ? parseRoutePattern(pattern) : pattern).match(method, pathname)
}
