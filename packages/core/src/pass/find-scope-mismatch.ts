import { parseRoutePattern } from '../route/parse-route-pattern.js'
import type { PassScope } from './pass-payload.js'

/** The parts of a parsed request URL a pass scope is checked against (a `URL` fits). */
export type RequestUrl = { origin: string; pathname: string }

/** The request a pass is presented with. */
export type PassRequest = {
  /** HTTP method, such as `GET`. */
  method: string
  /** Absolute request URL, such as `https://api.example.com/weather/paris?units=si`. */
  url: string
}

/**
 * Says why a pass scope does not cover a request: `url` (not an absolute URL), `origin` or `route`;
 * undefined when it covers it.
 *
 * @example findScopeMismatch({ routes: ['GET /a'] }, { method: 'POST', url: 'https://x.dev/a' }) // 'route'
 * @throws TypeError when `scope` itself is malformed; `passCoversRequest` turns that into false
 * @internal
 */
export function findScopeMismatch(
  scope: PassScope,
  request: PassRequest | { method: string; url: RequestUrl },
): 'url' | 'origin' | 'route' | undefined {
  let url: RequestUrl
  try {
    url = typeof request.url === 'string' ? new URL(request.url) : request.url
  } catch {
    return 'url'
  }
  if (scope.origin !== undefined && url.origin !== scope.origin) return 'origin'
  for (const route of scope.routes) if (covers(route, request.method, url.pathname)) return undefined
  return 'route'
}

function covers(route: string, method: string, pathname: string): boolean {
  try {
    return parseRoutePattern(route).match(method, pathname) !== undefined
  } catch {
    // A pattern this version cannot parse covers nothing: fail closed.
    return false
  }
}
