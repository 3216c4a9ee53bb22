import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createGate } from '@tollgate/core'
import {
  definePaidGateConformance,
  type PaidConformanceGate,
  type PaidConformanceHandler,
} from '@tollgate/core/test'
import { paidConformanceChain, paidConformanceGateOptions } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import express, { type ErrorRequestHandler } from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tollgate } from '../src/index.js'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

async function start(spec: PaidConformanceGate) {
  const runs: Record<PaidConformanceHandler, number> = { report: 0, other: 0, fail: 0, throw: 0 }
  const app = express()
  app.disable('x-powered-by')
  app.use(tollgate(createGate(paidConformanceGateOptions(spec))))
  app.get('/api/report', (_request, response) => {
    response.json({ report: 'paid', run: ++runs.report })
  })
  app.get('/api/other', (_request, response) => {
    runs.other++
    response.json({ other: true })
  })
  app.get('/api/fail', (_request, response) => {
    if (++runs.fail === 1) response.status(500).json({ error: 'database_down' })
    else response.json({ ok: true })
  })
  app.get('/api/throw', async (_request, response) => {
    if (++runs.throw === 1) throw new Error('handler exploded')
    response.json({ ok: true })
  })
  const onError: ErrorRequestHandler = (_error, _request, response, _next) => {
    response.status(500).json({ error: 'handler_failed' })
  }
  app.use(onError)
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runs: (name: PaidConformanceHandler) => runs[name],
    close: async () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

definePaidGateConformance(
  { describe, test, expect },
  { name: 'express', chain: () => paidConformanceChain(devnet), start },
)
