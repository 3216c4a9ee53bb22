import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A JSON-RPC proxy in front of a node that counts the calls passing through. */
export type CountingProxy = {
  /** `http://127.0.0.1:<port>`: point a JSON-RPC transport here. */
  url: string
  /** JSON-RPC calls forwarded so far: a batch counts its length. */
  calls(): number
  close(): Promise<void>
}

/**
 * Starts a loopback HTTP proxy that forwards every POST body to `target` and counts the JSON-RPC
 * calls in it, so the RPC use of a stack we do not control (the x402 facilitator's viem transport)
 * is counted, not estimated.
 *
 * @example const proxy = await startCountingProxy('http://127.0.0.1:8545')
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  let calls = 0
  const server = createServer(async (incoming, outgoing) => {
    try {
      const chunks: Buffer[] = []
      for await (const chunk of incoming) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      const parsed: unknown = JSON.parse(body.toString('utf8'))
      calls += Array.isArray(parsed) ? parsed.length : 1
      const upstream = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      const answer = Buffer.from(await upstream.arrayBuffer())
      outgoing.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
        'content-length': String(answer.length),
      })
      outgoing.end(answer)
    } catch (error) {
      outgoing.writeHead(502, { 'content-type': 'text/plain' })
      outgoing.end(`counting proxy: ${(error as Error).message}`)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
