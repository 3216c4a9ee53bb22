import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import {
  defineGateConformance,
  definePaidGateConformance,
  type PaidConformanceGate,
} from '@tollgate/core/test'
import { paidConformanceChain, sendRaw, serveFetch } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  counter,
  PRICED,
  paidFetchHandler,
  paidHonoApp,
  shapeFetchHandler,
  shapeGate,
  shapeHonoApp,
  shapePass,
} from './support/apps.js'

// The suites every adapter runs, for Hono on @hono/node-server (the middleware and `paidHandler`) and for `toFetchHandler` on a
// node:http bridge: request shape (raw bytes, no chain) and the paid lifecycle on the devnet.
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

async function serveHono(fetch: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
      server.close()
    },
  }
}

for (const [name, form] of [
  ['hono on @hono/node-server', 'middleware'],
  ['hono paidHandler on @hono/node-server', 'route'],
] as const) {
  defineGateConformance(
    { describe, test, expect },
    {
      name,
      priced: PRICED,
      pass: shapePass,
      // @hono/node-server answers a malformed Host with 400 before Hono runs.
      refusesMalformedHost: true,
      routeLevel: form === 'route',
      start: async () => {
        const runs = counter()
        const server = await serveHono(shapeHonoApp(shapeGate(), runs.count, form).fetch)
        return { send: (raw) => sendRaw(server.port, raw), handlerRuns: runs.total, close: server.close }
      },
    },
  )

  definePaidGateConformance(
    { describe, test, expect },
    {
      name,
      chain: () => paidConformanceChain(devnet),
      start: async (spec: PaidConformanceGate) => {
        const runs = counter()
        const server = await serveHono(paidHonoApp(spec, runs.count, form).fetch)
        return { url: server.url, runs: runs.runs, close: server.close }
      },
    },
  )
}

defineGateConformance(
  { describe, test, expect },
  {
    name: 'toFetchHandler on node:http',
    priced: PRICED,
    pass: shapePass,
    start: async () => {
      const runs = counter()
      const server = await serveFetch(shapeFetchHandler(shapeGate(), runs.count))
      return { send: (raw) => sendRaw(server.port, raw), handlerRuns: runs.total, close: server.close }
    },
  },
)

definePaidGateConformance(
  { describe, test, expect },
  {
    name: 'toFetchHandler on node:http',
    chain: () => paidConformanceChain(devnet),
    start: async (spec: PaidConformanceGate) => {
      const runs = counter()
      const server = await serveFetch(paidFetchHandler(spec, runs.count))
      return { url: server.url, runs: runs.runs, close: server.close }
    },
  },
)
