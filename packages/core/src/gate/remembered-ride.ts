import type { RequestUrl } from '../pass/find-scope-mismatch.js'
import { requestHeaderKeys } from '../protocol/headers.js'
import { admitRememberedPass } from './check-pass.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import { locate } from './locate-request.js'
import { carriesPayment } from './read-payment-headers.js'
import { type GateTarget, resolveGateTarget } from './resolve-gate-target.js'
import { authorityOf, hasAuthority } from './resolve-origin.js'
import type { GatePaid, GateRequest } from './types.js'
import type { KnownPass } from './verified-passes.js'

/**
 * The last request a known pass was admitted for without a store: everything its decision was a
 * function of, besides the pass and the clock. The gate's routes, origin and limits never change,
 * so a request equal in all of these gets the same route and the same scope answer.
 * @internal
 */
export type RememberedRide = {
  readonly method: string
  /** The routed path without its query, as the server gave it. */
  readonly path: string
  /** The whole request target it was remembered with, query included. */
  readonly target: string
  /** Without a configured public origin: the `Host` header and the URL's authority it was read with. */
  readonly host: string | null
  readonly authority: string | undefined
  /** The whole URL it was remembered with: the same URL again has the same authority. */
  readonly href: string
  readonly route: CompiledRoute
  /** The origin and the form of the path the route matched. */
  readonly url: RequestUrl
}

/**
 * Remembers, on a known pass, the request it was just admitted for, when the request can be
 * recognised again by comparing strings: it names its routed path (`GateRequest.path`), and, where
 * the origin comes from the request, its URL has an `http(s)` authority.
 * @internal
 * @example rememberRide(runtime, known, request, target, route, url)
 */
export function rememberRide(
  runtime: GateRuntime,
  known: KnownPass,
  request: GateRequest,
  target: GateTarget,
  route: CompiledRoute,
  url: RequestUrl,
): void {
  if (typeof request.path !== 'string' || !request.path.startsWith(target.path)) return
  let host: string | null = null
  let authority: string | undefined
  if (runtime.origin === undefined) {
    host = request.headers.get('host')
    authority = authorityOf(request.url)
    if (authority === undefined) return
  }
  known.ride = {
    method: request.method,
    path: target.path,
    target: request.path,
    host,
    authority,
    href: request.url,
    route,
    url,
  }
}

/**
 * The decision for a pass ride equal to the one its pass was last admitted for (see
 * {@link rememberRide}): same pass, method, path (any query) and origin, no payment headers, no
 * per-IP limit; the pass's lifetime is checked now. Undefined otherwise, and on any doubt, for the
 * full check. Never throws, never waits.
 * @internal
 * @example const decision = rideRemembered(runtime, request) // GatePaid or undefined
 */
export function rideRemembered(runtime: GateRuntime, request: GateRequest): GatePaid | undefined {
  const { path } = request
  if (typeof path !== 'string' || runtime.options.rateLimit?.perIp !== undefined) return undefined
  try {
    const { headers } = request
    const token = headers.get(requestHeaderKeys.pass)
    if (token === null) return undefined
    const known = runtime.verifiedPasses.get(token)
    const ride = known?.ride
    if (known === undefined || ride === undefined || request.method !== ride.method || !samePath(path, ride))
      return undefined
    if (
      runtime.origin === undefined &&
      (headers.get('host') !== ride.host ||
        (request.url !== ride.href && !hasAuthority(request.url, ride.authority as string)))
    ) {
      return undefined
    }
    if (carriesPayment(runtime, headers)) return undefined
    return admitRememberedPass(runtime, ride.route, known.payload, () =>
      locate(request, resolveGateTarget(request), ride.url.origin),
    )
  } catch {
    return undefined
  }
}

// Whether the request target `target` has the remembered path, with or without a query (the
// same target again is the common case); a target with a fragment marker before its query is
// left to the full check.
function samePath(target: string, ride: RememberedRide): boolean {
  if (target === ride.target) return true
  const { path } = ride
  const query = target.indexOf('?')
  if (query === -1) return target === path
  return query === path.length && target.slice(0, query) === path
}
