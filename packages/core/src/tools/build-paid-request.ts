import type { CompiledPaidEndpoint } from './compile-paid-endpoint.js'

/** What {@link buildPaidRequest} returns: the request to send, or why the parameters cannot make one. */
export type BuildPaidRequestResult =
  | { ok: true; url: string; init: RequestInit }
  | { ok: false; issues: string[] }

const PLACEHOLDER = /\{([^{}]*)\}/g

/**
 * Builds the HTTP request of one tool call from validated parameters: path placeholders are filled
 * with `encodeURIComponent(value)` (so `AAPL/../x` stays one segment), the other parameters go to
 * the query string (`GET`, `DELETE`) or a JSON body.
 *
 * @example
 * buildPaidRequest(compilePaidEndpoint(priceTool), { ticker: 'AAPL', currency: 'EUR' })
 * // { ok: true, url: 'https://api.example.com/price/AAPL?currency=EUR', init: { method: 'GET', headers } }
 */
export function buildPaidRequest(
  compiled: CompiledPaidEndpoint,
  params: Record<string, unknown>,
): BuildPaidRequestResult {
  const issues: string[] = []
  const path = compiled.tool.endpoint.replaceAll(PLACEHOLDER, (_match, name: string) => {
    const value = String(params[name])
    // "." and ".." (even percent-encoded) are dot segments that URL parsing resolves away.
    if (value === '' || value === '.' || value === '..') {
      issues.push(`${name}: must not be empty, "." or ".."`)
    }
    return encodeURIComponent(value)
  })
  if (issues.length > 0) return { ok: false, issues }
  const url = new URL(path)
  const rest = Object.entries(params).filter(
    ([name, value]) => !compiled.pathParams.has(name) && value !== undefined,
  )
  const headers = new Headers(compiled.tool.headers)
  if (!headers.has('accept')) headers.set('accept', 'application/json, text/plain;q=0.9, */*;q=0.8')
  const init: RequestInit = { method: compiled.method, headers }
  if (compiled.jsonBody) {
    const body = compiled.tool.body
    headers.set('content-type', 'application/json')
    init.body = JSON.stringify(typeof body === 'function' ? body(params) : Object.fromEntries(rest))
  } else {
    for (const [name, value] of rest) {
      for (const item of Array.isArray(value) ? value : [value]) {
        url.searchParams.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item))
      }
    }
  }
  return { ok: true, url: url.href, init }
}
