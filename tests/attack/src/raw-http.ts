import { openRaw } from './open-raw.js'
import { serializeRequest } from './serialize-request.js'

/** A response as it came off the wire. */
export type RawResponse = {
  status: number
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>
  /** The body, de-chunked. */
  body: string
}

/** What to put on the wire; nothing is normalised. */
export type RawRequest = {
  method: string
  /** The request target exactly as sent: `/api/search`, `http://x/api/search`, `//a`, `*`. */
  target: string
  /** Host header values: none when empty, several sent as several lines. Default `127.0.0.1:<port>`. */
  host?: string[]
  headers?: Record<string, string>
  body?: string
}

/**
 * Sends one raw request and reads the whole response (the server closes the connection).
 *
 * @example const response = await rawHttp(port, { method: 'GET', target: '/api/search', host: ['x?'] })
 * @throws {Error} when the answer is not an HTTP response
 */
export function rawHttp(port: number, request: RawRequest): Promise<RawResponse> {
  return openRaw(port, serializeRequest(port, request)).response()
}
