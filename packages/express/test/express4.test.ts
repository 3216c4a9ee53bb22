import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createClient, decodePaymentResponseHeader } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { usdcBalance, usdcRegistry, walletOf } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { RequestHandler as Express5Handler } from 'express'
import express4, { type RequestHandler } from 'express4'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tollgate } from '../src/index.js'

// The same middleware on Express 4 (the `express4` alias of express@^4.21): both schemes and passes,
// with the money read from the chain.
let devnet: Devnet
let url: string
let close: () => void
const calls: Record<string, number> = {}

beforeAll(async () => {
  devnet = await startDevnet()
  const app = express4()
  const middleware: Express5Handler = tollgate({
    routes: {
      'GET /api/search': { price: '$0.001' },
      'POST /api/pass': { price: '$0.01', pass: { ttlSeconds: 3600, scope: ['GET /api/search'] } },
    },
    payTo: devnet.accounts[9]!.address,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        exact: { settler: privateKeyToAccount(devnet.accounts[8]!.privateKey) },
      }),
    ],
    secret: 'express4-secret-express4-secret-express4',
    registry: usdcRegistry(devnet),
    // The memory store's start-up notice is expected here, not a test failure.
    logger: { warn: () => {} },
  })
  // Express 4's handler types differ from Express 5's; the middleware only uses what both have.
  app.use(middleware as unknown as RequestHandler)
  app.get('/api/search', (_request, response) => {
    calls.search = (calls.search ?? 0) + 1
    response.json({ results: ['one'], payer: response.locals.tollgate?.payer })
  })
  app.post('/api/pass', (_request, response) => {
    calls.pass = (calls.pass ?? 0) + 1
    response.json({ ok: true })
  })
  app.get('/health', (_request, response) => {
    response.json({ ok: true })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => {
    server.closeAllConnections()
    server.close()
  }
})
afterAll(async () => {
  close?.()
  await devnet?.stop()
})

const clientOf = (index: number, schemes: ('exact' | 'tx')[]) =>
  createClient({
    wallets: [walletOf(devnet, index, schemes)],
    registry: usdcRegistry(devnet),
    policy: { budget: '$1' },
  })

describe('tollgate() on Express 4', () => {
  test('default: the router is Express 4, unpaid is a 402, free routes pass untouched', async () => {
    expect((await import('express4/package.json', { with: { type: 'json' } })).default.version).toMatch(
      /^4\./,
    )
    expect((await fetch(`${url}/api/search`)).status).toBe(402)
    expect((await fetch(`${url}/health`)).status).toBe(200)
  })

  test('behavior: a tx payment is served once and moves the money', async () => {
    const payee = devnet.accounts[9]!.address
    const before = await usdcBalance(devnet, payee)
    const searches = calls.search ?? 0
    const response = await clientOf(1, ['tx']).fetch(`${url}/api/search`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ payer: devnet.accounts[1]!.address })
    expect(calls.search).toBe(searches + 1)
    expect((await usdcBalance(devnet, payee)) - before).toBe(1000n)
  })

  test('behavior: an exact authorization is settled after the handler, and the money moves', async () => {
    const payee = devnet.accounts[9]!.address
    const before = await usdcBalance(devnet, payee)
    const response = await clientOf(2, ['exact']).fetch(`${url}/api/search`)
    expect(response.status).toBe(200)
    const settled = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settled.success).toBe(true)
    expect((await usdcBalance(devnet, payee)) - before).toBe(1000n)
  })

  test('behavior: a pass bought once covers the next searches without paying again', async () => {
    const payee = devnet.accounts[9]!.address
    const client = clientOf(3, ['tx'])
    const before = await usdcBalance(devnet, payee)
    expect((await client.fetch(`${url}/api/pass`, { method: 'POST' })).status).toBe(200)
    const searches = calls.search ?? 0
    for (let index = 0; index < 3; index++) expect((await client.fetch(`${url}/api/search`)).status).toBe(200)
    expect(calls.search).toBe(searches + 3)
    // Only the pass was paid: $0.01.
    expect((await usdcBalance(devnet, payee)) - before).toBe(10_000n)
  })
})
