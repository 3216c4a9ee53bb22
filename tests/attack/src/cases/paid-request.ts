import type { RawRequest } from '../raw-http.js'

/** Prices of the merchant's routes in USDC atomic units (6 decimals). */
export const PRICE = { search: 1_000n, post: 10_000n, item: 2_000n, pass: 50_000n } as const

/** A priced route: method and path. */
export type Route = { method: 'GET' | 'POST'; path: string }

export const SEARCH: Route = { method: 'GET', path: '/api/search' }

export const POST: Route = { method: 'POST', path: '/api/post' }

/**
 * The request for `route` carrying `header` (a payment, a pass) and any extra headers.
 *
 * @example await context.send(context.a, paidRequest(SEARCH, paid.header))
 */
export function paidRequest(
  route: Route,
  header?: { name: string; value: string },
  extra: Record<string, string> = {},
): RawRequest {
  const headers: Record<string, string> = { ...extra }
  if (header !== undefined) headers[header.name] = header.value
  if (route.method === 'POST') headers['content-type'] = 'application/json'
  return {
    method: route.method,
    target: route.path,
    headers,
    ...(route.method === 'POST' ? { body: '{"title":"paid"}' } : {}),
  }
}
