import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does with one JSON-RPC request. */
export type RpcVerdict =
  /** Forward it and return the node's answer. */
  | 'forward'
  /** Forward it, let the node act on it, and answer 502 (a gateway that lost the answer). */
  | 'forward_then_502'
  /** Answer 502 without forwarding it. */
  | '502'
  /** Never answer and never forward (the caller's timeout fires). */
  | 'hold'

/** A JSON-RPC body as the proxy sees it. */
export type RpcCall = { method: string; params: unknown[] }

/**
 * An HTTP proxy in front of a JSON-RPC node that can lose, refuse or hold chosen calls, for tests of
 * what a client does when the node acted but the answer never arrived.
 */
export async function rpcProxy(
  target: string,
  decide: (calls: RpcCall[]) => RpcVerdict,
): Promise<{ url: string; close(): Promise<void> }> {
  const held: ServerResponse[] = []
  const server = createServer(async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const parsed = JSON.parse(text) as RpcCall | RpcCall[]
    const verdict = decide(Array.isArray(parsed) ? parsed : [parsed])
    if (verdict === 'hold') {
      held.push(outgoing)
      return
    }
    if (verdict === '502') {
      outgoing.writeHead(502).end('bad gateway')
      return
    }
    // A node that is gone (a call still in flight when its test file stopped the devnet) is a 502.
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    }).catch(() => undefined)
    const body = await answer?.text().catch(() => undefined)
    if (answer === undefined || body === undefined) outgoing.writeHead(502).end('bad gateway')
    else if (verdict === 'forward_then_502') outgoing.writeHead(502).end('bad gateway')
    else outgoing.writeHead(answer.status, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const response of held) response.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
