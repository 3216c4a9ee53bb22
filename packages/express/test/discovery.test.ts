import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { type CreateGateOptions, createGate, createMemoryStore } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import express from 'express'
import { afterEach, describe, expect, test } from 'vitest'
import { tollgate } from '../src/index.js'

// Discovery and the 402 need no chain: the network's RPC is never called here.
const gateOptions = (overrides: Partial<CreateGateOptions> = {}): CreateGateOptions => ({
  routes: {
    'GET /api/search': { price: '$0.001', description: 'Web search' },
    'POST /api/items/:id': { price: '$0.01' },
  },
  payTo: '0x000000000000000000000000000000000000dEaD',
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret: 'express-discovery-secret-0123456789abcdef',
  store: { ...createMemoryStore(), durable: true },
  publicUrl: 'https://api.example.test',
  ...overrides,
})

const servers: { close(): void }[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** Serves `app` on a free port; counts the requests that reached the app's own handlers. */
async function serve(options: CreateGateOptions) {
  const reached: string[] = []
  const app = express()
  app.use(tollgate(createGate(options)))
  app.use((request, response) => {
    reached.push(`${request.method} ${request.originalUrl}`)
    response.status(404).json({ from: 'app' })
  })
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { base, reached }
}

describe('tollgate (Express): discovery', () => {
  test('default: the gate answers GET /openapi.json and /.well-known/x402', async () => {
    const { base, reached } = await serve(gateOptions())
    const openapi = await fetch(`${base}/openapi.json`)
    expect(openapi.status).toBe(200)
    expect(openapi.headers.get('content-type')).toBe('application/json')
    expect(openapi.headers.get('access-control-allow-origin')).toBe('*')
    const document = await openapi.json()
    expect(document).toEqual(createGate(gateOptions()).discovery.openapi())
    expect(document.paths['/api/items/{id}'].post['x-payment-info'].offers[0]).toMatchObject({
      intent: 'charge',
      amount: '10000',
    })
    const wellKnown = await fetch(`${base}/.well-known/x402`)
    expect(await wellKnown.json()).toEqual({ version: 1, resources: ['https://api.example.test/api/search'] })
    expect(reached).toEqual([])
  })

  test('behavior: a priced route at /openapi.json wins over the document', async () => {
    const { base, reached } = await serve(gateOptions({ routes: { 'GET /openapi.json': { price: '$1' } } }))
    const response = await fetch(`${base}/openapi.json`)
    expect(response.status).toBe(402)
    expect(response.headers.get('payment-required')).not.toBeNull()
    expect(reached).toEqual([])
  })

  test('behavior: with discovery: false the requests reach the app', async () => {
    const { base, reached } = await serve(gateOptions({ discovery: false }))
    expect((await fetch(`${base}/openapi.json`)).status).toBe(404)
    expect((await fetch(`${base}/.well-known/x402`)).status).toBe(404)
    expect(reached).toEqual(['GET /openapi.json', 'GET /.well-known/x402'])
  })
})
