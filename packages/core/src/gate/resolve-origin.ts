import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { GateRequest } from './types.js'

// RFC 9110 `Host`: a bracketed IP literal or a registered name, and an optional port.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?$/

/**
 * The origin the gate describes itself with in a 402 and in the passes it sells: `publicUrl` when
 * configured, else the request URL's, which an adapter builds from `Host` (development only).
 * @internal
 * @throws {TollgateError} `host_invalid` when, without `publicUrl`, the `Host` header or the request
 * URL is malformed
 */
export function resolveOrigin(configured: string | undefined, request: GateRequest): string {
  if (configured !== undefined) return configured
  const host = request.headers.get('host')
  // Most requests come with the `Host` and to the authority of the one before: a valid `Host`
  // already, and no slicing, parsing or hashing then.
  if (latest !== undefined && host === latest.host && hasAuthority(request.url, latest.key))
    return latest.origin
  const match = host === null ? null : HOST.exec(host)
  if (host !== null && (match === null || Number(match[1] ?? 0) > 65_535)) throw invalidHost(host, request)
  const key = authorityOf(request.url)
  const known = key === undefined ? undefined : origins.get(key)
  if (key !== undefined && known !== undefined) {
    latest = { host, key, origin: known }
    return known
  }
  try {
    const url = new URL(request.url)
    // Non-web schemes (`mcp://tool/...`) have an opaque origin: keep their scheme and host.
    const origin = url.origin === 'null' ? `${url.protocol}//${url.host}` : url.origin
    if (url.host !== '') {
      if (key !== undefined) {
        if (origins.size >= MAX_ORIGINS) origins.delete(origins.keys().next().value as string)
        origins.set(key, origin)
        latest = { host, key, origin }
      }
      return origin
    }
  } catch {
    // Reported below.
  }
  throw invalidHost(host, request)
}

function invalidHost(host: string | null, request: GateRequest): TollgateError {
  return new TollgateError(
    'host_invalid',
    `The request's Host ${quote((host ?? request.url).slice(0, 200))} is invalid.`,
  )
}

// The origins of the few authorities a server is reached at, so each request's URL is not parsed
// again; bounded, since the authority comes from the client's `Host`.
const MAX_ORIGINS = 64
const MAX_AUTHORITY_LENGTH = 300
const origins = new Map<string, string>()
// The last request's `Host` (valid, or null when it had none), authority and origin.
let latest: { host: string | null; key: string; origin: string } | undefined

/**
 * Whether `url` has exactly the authority `key` (a key from {@link authorityOf}, so without any
 * character that ends an authority or that the parser drops): the key, then one of those ends or nothing.
 * @internal
 * @example hasAuthority('http://127.0.0.1:4021/api?q=1', 'http://127.0.0.1:4021') // true
 */
export function hasAuthority(url: string, key: string): boolean {
  // `lastIndexOf` from 0 tests the start alone, and in about half the time of `startsWith` on V8.
  if (url.lastIndexOf(key, 0) !== 0) return false
  if (url.length === key.length) return true
  const char = url.charCodeAt(key.length)
  return char === 0x2f || char === 0x3f || char === 0x23 || char === 0x5c
}

/**
 * `http(s)://` and the authority, when the URL starts so: for these schemes the origin, and whether
 * the URL parses at all, depend on that prefix only (the path, query and fragment cannot fail).
 * Undefined for anything else, such as an empty authority (`http:///host` takes its host from
 * the path).
 * @internal
 * @example authorityOf('http://127.0.0.1:4021/api?q=1') // 'http://127.0.0.1:4021'
 */
export function authorityOf(url: string): string | undefined {
  const start = url.startsWith('http://') ? 7 : url.startsWith('https://') ? 8 : -1
  if (start === -1) return undefined
  let end = start
  while (end < url.length && end <= MAX_AUTHORITY_LENGTH) {
    const char = url.charCodeAt(end)
    // `/`, `?`, `#` and `\` (a `/` to these schemes) end the authority.
    if (char === 0x2f || char === 0x3f || char === 0x23 || char === 0x5c) break
    // The parser drops tabs and line breaks anywhere (`http://\t/host` has an empty authority) and
    // controls and spaces at the end of the URL: an authority with any of them is parsed each time.
    if (char <= 0x20) return undefined
    end++
  }
  if (end === start || end > MAX_AUTHORITY_LENGTH) return undefined
  return url.slice(0, end)
}
