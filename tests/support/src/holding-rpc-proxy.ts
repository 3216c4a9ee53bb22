import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A JSON-RPC proxy in front of a real node that can hold requests until released: lets a test act
 * while the gate is provably in the middle of verifying, without sleeping.
 */
export async function holdingRpcProxy(target: string) {
  let holding = false
  const held: (() => void)[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    if (holding) {
      await new Promise<void>((resolve) => {
        held.push(resolve)
        for (const waiter of waiters.splice(0)) {
          if (held.length >= waiter.count) waiter.resolve()
          else waiters.push(waiter)
        }
      })
    }
    // A node that is gone (a call still in flight when its test file stopped the devnet) is a 502.
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(chunks),
    }).catch(() => undefined)
    const body = await answer?.arrayBuffer().catch(() => undefined)
    if (answer === undefined || body === undefined) {
      response.writeHead(502).end('bad gateway')
      return
    }
    response.writeHead(answer.status, { 'content-type': 'application/json' })
    response.end(Buffer.from(body))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: () => {
      holding = true
    },
    /** Resolves once `count` requests are being held. */
    waitForHeld: (count: number) =>
      new Promise<void>((resolve) => {
        if (held.length >= count) resolve()
        else waiters.push({ count, resolve })
      }),
    release: () => {
      holding = false
      for (const resolve of held.splice(0)) resolve()
    },
    close: async () => {
      server.closeAllConnections()
      server.close()
    },
  }
}
