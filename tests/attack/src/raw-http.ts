import { createConnection, type Socket } from 'node:net'

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

/** A connection the test drives by hand: to hang up at a chosen moment. */
export type RawConnection = {
  /** Everything received so far. */
  received(): string
  /** Resolves once the received text matches `predicate` (or the connection ended). */
  waitFor(predicate: (text: string) => boolean): Promise<string>
  /** Hangs up (RST-free close of both directions, like a client that goes away). */
  hangUp(): void
  /** The full response, once the server closed the connection. */
  response(): Promise<RawResponse>
}

/** Serialises `request` for `port` (`Connection: close`, a content length for a body). */
export function serializeRequest(port: number, request: RawRequest): string {
  const hosts = request.host ?? [`127.0.0.1:${port}`]
  const lines = [`${request.method} ${request.target} HTTP/1.1`, ...hosts.map((host) => `Host: ${host}`)]
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`)
  if (request.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(request.body)}`)
  lines.push('Connection: close', '', request.body ?? '')
  return lines.join('\r\n')
}

/**
 * Opens a TCP connection to 127.0.0.1:`port` and writes `text` (or only its head, up to the blank
 * line, when `headOnly`).
 *
 * @example const connection = openRaw(port, serializeRequest(port, { method: 'GET', target: '/' }))
 */
export function openRaw(port: number, text: string, options: { headOnly?: boolean } = {}): RawConnection {
  const socket: Socket = createConnection({ port, host: '127.0.0.1' })
  let received = ''
  let ended = false
  const watchers = new Set<() => void>()
  const notify = () => {
    for (const watcher of [...watchers]) watcher()
  }
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
    notify()
  })
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      ended = true
      notify()
      resolve()
    })
  })
  socket.on('error', () => {})
  const head = text.slice(0, text.indexOf('\r\n\r\n') + 4)
  socket.write(options.headOnly ? head : text)
  return {
    received: () => received,
    waitFor: (predicate) =>
      new Promise((resolve) => {
        const check = () => {
          if (predicate(received) || ended) {
            watchers.delete(check)
            resolve(received)
          }
        }
        watchers.add(check)
        check()
      }),
    hangUp: () => socket.destroy(),
    response: async () => {
      await closed
      return parseResponse(received)
    },
  }
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

/** Parses an HTTP/1.1 response, de-chunking its body. */
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
