import type { RawRequest } from './raw-http.js'

/**
 * Serialises `request` for `port` byte for byte (`Connection: close`, a content length for a body).
 *
 * @example openRaw(port, serializeRequest(port, { method: 'GET', target: 'http://x/api/search' }))
 */
export function serializeRequest(port: number, request: RawRequest): string {
  const hosts = request.host ?? [`127.0.0.1:${port}`]
  const lines = [`${request.method} ${request.target} HTTP/1.1`, ...hosts.map((host) => `Host: ${host}`)]
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`)
  if (request.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(request.body)}`)
  lines.push('Connection: close', '', request.body ?? '')
  return lines.join('\r\n')
}
