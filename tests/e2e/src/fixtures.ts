import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type RunningDemoApi, startDemoApi } from '@tollgate/demo-api'
import { type Demo, startDemo as startSharedDemo } from '@tollgate/test-support'
import type { Devnet } from '@tollgate/testkit'

export const SECRET = 'e2e-secret-e2e-secret-e2e-secret-e2e-00'

/**
 * A devnet (or `options.devnet`) and the demo API on it, paid to account 9, signing with
 * {@link SECRET}; account 8 pays the gas of exact settlements.
 */
export function startDemo(options: { host?: string; devnet?: Devnet } = {}): Promise<Demo<RunningDemoApi>> {
  return startSharedDemo(startDemoApi, { ...options, secret: SECRET, settler: 8 })
}

/** A raw HTTP server on a loopback host for tests that need a misbehaving peer. */
export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Forwards requests to `target`; `intercept` may answer or drop a request instead. */
export function proxyTo(
  target: string,
  intercept: (request: IncomingMessage, response: ServerResponse) => boolean,
): (request: IncomingMessage, response: ServerResponse) => void {
  return async (request, response) => {
    if (intercept(request, response)) return
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers.set(name, value)
    }
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    })
    const out: Record<string, string> = {}
    upstream.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection')
        out[name] = value
    })
    const body = Buffer.from(await upstream.arrayBuffer())
    response.writeHead(upstream.status, { ...out, 'content-length': String(body.length) })
    response.end(body)
  }
}
