import {
  defineGateConformance,
  definePaidGateConformance,
  type PaidConformanceGate,
} from '@tollgate/core/test'
import { paidConformanceChain, sendRaw } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { counter, PRICED, shapePass } from './support/apps.js'
import { serveEdge } from './support/serve-edge.js'

// The same suites, for Hono (the middleware and `paidHandler`) and for `toFetchHandler` inside an edge runtime (the `edge-runtime`
// package: web globals only). The gate, Hono and viem run in the runtime from one bundle; the
// gate reaches the devnet over loopback fetch.
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

for (const [name, app] of [
  ['hono in edge-runtime', 'shape-hono'],
  ['hono paidHandler in edge-runtime', 'shape-hono-route'],
  ['toFetchHandler in edge-runtime', 'shape-fetch'],
] as const) {
  defineGateConformance(
    { describe, test, expect },
    {
      name,
      priced: PRICED,
      pass: shapePass,
      routeLevel: app === 'shape-hono-route',
      start: async () => {
        const runs = counter()
        const server = await serveEdge({ app, count: runs.count })
        return { send: (raw) => sendRaw(server.port, raw), handlerRuns: runs.total, close: server.close }
      },
    },
  )
}

for (const [name, app] of [
  ['hono in edge-runtime', 'paid-hono'],
  ['hono paidHandler in edge-runtime', 'paid-hono-route'],
  ['toFetchHandler in edge-runtime', 'paid-fetch'],
] as const) {
  definePaidGateConformance(
    { describe, test, expect },
    {
      name,
      chain: () => paidConformanceChain(devnet),
      start: async (spec: PaidConformanceGate) => {
        const runs = counter()
        const server = await serveEdge({ app, spec, count: runs.count })
        return { url: server.url, runs: runs.runs, close: server.close }
      },
    },
  )
}
