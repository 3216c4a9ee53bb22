import type { RawResponse } from './raw-http.js'

/**
 * Parses an HTTP/1.1 response, de-chunking its body.
 *
 * @example const response = parseResponse(connection.received())
 * @throws {Error} when the text is not an HTTP response
 */
export function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n')
  if (!text.startsWith('HTTP/1.') || split < 0) {
    throw new Error(`Not an HTTP response: ${JSON.stringify(text.slice(0, 80))}`)
  }
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  let body = text.slice(split + 4)
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body)
  return { status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString() }
}

function dechunk(text: string): string {
  let out = ''
  let rest = text
  for (;;) {
    const lineEnd = rest.indexOf('\r\n')
    if (lineEnd < 0) return out
    const size = Number.parseInt(rest.slice(0, lineEnd), 16)
    if (!(size > 0)) return out
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size)
    rest = rest.slice(lineEnd + 2 + size + 2)
  }
}
