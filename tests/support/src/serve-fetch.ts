import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'

/**
 * Serves a fetch-style handler on 127.0.0.1 with `node:http`, the way Workers, Deno or Bun hand
 * one a `Request`: its URL is the server's own origin and the target as received (never `Host`),
 * its `signal` aborts when the requester leaves before the answer is finished, and the answer's
 * body is streamed back.
 *
 * @example
 * const server = await serveFetch(toFetchHandler(gate, handler))
 * await fetch(`${server.url}/api/search`)
 */
export async function serveFetch(
  handler: (request: Request) => Promise<Response>,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  let origin = ''
  const server = createServer((incoming, outgoing) => {
    void answer(handler, origin, incoming, outgoing)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`
  return {
    url: origin,
    port,
    close: async () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

async function answer(
  handler: (request: Request) => Promise<Response>,
  origin: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const abort = new AbortController()
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) abort.abort()
  })
  let request: Request
  try {
    request = toRequest(origin, incoming, abort.signal)
  } catch {
    outgoing.writeHead(400).end('bad request')
    return
  }
  // A handler that throws is the server's own 500, as on any fetch runtime.
  const response = await handler(request).catch(() => new Response('internal error', { status: 500 }))
  await write(response, outgoing)
}

function toRequest(origin: string, incoming: IncomingMessage, signal: AbortSignal): Request {
  const target = incoming.url ?? '/'
  const url = target.startsWith('/') ? `${origin}${target}` : new URL(target).href
  const headers = new Headers()
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD'
  return new Request(url, {
    method: incoming.method ?? 'GET',
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream, duplex: 'half' } : {}),
  })
}

async function write(response: Response, outgoing: ServerResponse): Promise<void> {
  outgoing.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') outgoing.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies)
  if (response.body === null) {
    outgoing.end()
    return
  }
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) outgoing.write(chunk)
    outgoing.end()
  } catch {
    outgoing.destroy()
  }
}
