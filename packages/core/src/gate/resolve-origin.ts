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
  const match = host === null ? null : HOST.exec(host)
  const invalid = () =>
    new TollgateError(
      'host_invalid',
      `The request's Host ${quote((host ?? request.url).slice(0, 200))} is invalid.`,
    )
  if (host !== null && (match === null || Number(match[1] ?? 0) > 65_535)) throw invalid()
  try {
    const url = new URL(request.url)
    // Non-web schemes (`mcp://tool/...`) have an opaque origin: keep their scheme and host.
    const origin = url.origin === 'null' ? `${url.protocol}//${url.host}` : url.origin
    if (url.host !== '') return origin
  } catch {
    // Reported below.
  }
  throw invalid()
}
