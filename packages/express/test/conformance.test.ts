import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createGate, createKeyring, encodePass } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { defineGateConformance } from '@tollgate/core/test'
import { sendRaw } from '@tollgate/test-support'
import express from 'express'
import { describe, expect, test } from 'vitest'
import { tollgate } from '../src/index.js'

const SECRET = 'express-conformance-secret-0123456789ab'
const PAY_TO = '0x000000000000000000000000000000000000dEaD'

/** A pass of the gate for `GET /api/search` only, the first priced request. */
async function searchPass(): Promise<string> {
  const claims = {
    sub: '0x00000000000000000000000000000000000aBcDe',
    scope: { routes: ['GET /api/search'], origin: 'https://api.example.test' },
    ttlSeconds: 600,
  }
  return (await encodePass(claims, { keyring: createKeyring(SECRET) })).token
}

async function start() {
  const gate = createGate({
    routes: {
      'GET /api/search': { price: '$0.001' },
      'POST /api/contract/issue': { price: '$1' },
      'GET /api/items/:id': { price: '$0.01' },
      'GET /reports/**': { price: '$0.02' },
    },
    payTo: PAY_TO,
    // Unpaid requests never reach the chain: a closed port is enough.
    networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
    secret: SECRET,
    publicUrl: 'https://api.example.test',
    logger: { warn: () => {} },
  })
  let runs = 0
  const app = express()
  app.use(tollgate(gate))
  app.get('/api/search', (_request, response) => {
    runs++
    response.json({ results: [] })
  })
  app.post('/api/contract/issue', (_request, response) => {
    runs++
    response.status(201).json({ issued: true })
  })
  // Mounted routers see a shortened `url`; the gate prices `originalUrl`.
  const items = express.Router()
  items.get('/:id', (_request, response) => {
    runs++
    response.json({ item: true })
  })
  app.use('/api/items', items)
  app.get('/reports/{*rest}', (_request, response) => {
    runs++
    response.json({ report: true })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    send: (raw: string) => sendRaw(port, raw),
    handlerRuns: () => runs,
    close: async () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

defineGateConformance(
  { describe, test, expect },
  {
    name: 'express',
    priced: [
      { method: 'GET', path: '/api/search' },
      { method: 'POST', path: '/api/contract/issue' },
      { method: 'GET', path: '/api/items/42' },
      { method: 'GET', path: '/reports/2026/q1' },
    ],
    pass: searchPass,
    start,
  },
)
