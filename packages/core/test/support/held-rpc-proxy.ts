import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A JSON-RPC proxy in front of a real node that can hold every request until the test lets it go:
 * a slow RPC whose slowness the test controls, so "while the RPC is busy" is a state the test
 * waits for, not a guess about timing. Counts the requests it forwarded.
 */
export async function startHeldRpcProxy(upstream: string) {
  let holding = false
  let parked: (() => void)[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  let forwarded = 0
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (parked.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    if (holding) {
      await new Promise<void>((resolve) => {
        parked.push(resolve)
        notify()
      })
    }
    forwarded++
    try {
      const answer = await fetch(upstream, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      })
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
    } catch {
      response.writeHead(502).end('upstream unavailable')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** From now on, requests wait until {@link release}. */
    hold() {
      holding = true
    },
    /** Lets every parked request through and stops holding. */
    release() {
      holding = false
      const waiting = parked
      parked = []
      for (const resolve of waiting) resolve()
    },
    /** Resolves once at least `count` requests are parked. */
    parked(count: number): Promise<void> {
      return new Promise<void>((resolve) => {
        waiters.push({ count, resolve })
        notify()
      })
    },
    /** Requests forwarded to the node so far. */
    forwarded: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
