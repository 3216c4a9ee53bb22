import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HoldingRpc } from '@tollgate/core/test'

/**
 * A JSON-RPC proxy in front of a real node that can hold requests until released: lets a test act
 * while the gate is provably in the middle of verifying, without sleeping. A held request whose
 * caller gave up (its connection closed) counts as abandoned: the gate saw its requester leave.
 *
 * @example
 * const rpc = await holdingRpcProxy(devnet.rpcUrl)
 * rpc.hold()
 * await rpc.waitForHeld(1)
 */
export async function holdingRpcProxy(target: string): Promise<HoldingRpc> {
  let holding = false
  const held: (() => void)[] = []
  let abandoned = 0
  const waiters: { ready: () => boolean; resolve: () => void }[] = []
  const wake = () => {
    for (const waiter of waiters.splice(0)) {
      if (waiter.ready()) waiter.resolve()
      else waiters.push(waiter)
    }
  }
  const waitFor = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      if (ready()) resolve()
      else waiters.push({ ready, resolve })
    })
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    if (holding) {
      const gone = () => {
        abandoned++
        wake()
      }
      response.once('close', gone)
      await new Promise<void>((resolve) => {
        held.push(resolve)
        wake()
      })
      response.off('close', gone)
      if (response.destroyed) return
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
    waitForHeld: (count) => waitFor(() => held.length >= count),
    waitForAbandoned: (count) => waitFor(() => abandoned >= count),
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
