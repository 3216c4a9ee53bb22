import { describe, expect, test } from 'vitest'
import { evmNetwork } from '../evm/evm-network.js'
import { decodePaymentRequiredHeader } from '../protocol/payment-required-header.js'
import { createMemoryStore } from '../store/memory-store.js'
import { createGate } from './create-gate.js'
import type { CreateGateOptions } from './types.js'

const USDC_BASE = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
const options = (overrides: Partial<CreateGateOptions> = {}): CreateGateOptions => ({
  routes: {
    'GET /api/search': {
      price: '$0.001',
      description: 'Web search',
      discovery: {
        input: { schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
        output: {
          schema: { type: 'object', properties: { results: { type: 'array' } } },
          example: { results: [] },
        },
      },
    },
    'POST /api/items/:id': {
      price: '$0.01',
      discovery: {
        summary: 'Update an item',
        input: {
          schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
          example: { name: 'a' },
        },
      },
    },
    'GET /api/quote': { price: () => '$0.002', description: 'Dynamic' },
    '/files/**': { price: '$0.003' },
    'GET /api/hidden': { price: '$0.004', discovery: false },
  },
  payTo: '0x000000000000000000000000000000000000dEaD',
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret: 'gate-discovery-unit-secret-0123456789abcd',
  store: { ...createMemoryStore(), durable: true },
  publicUrl: 'https://api.example.test',
  ...overrides,
})

describe('gate.discovery', () => {
  test('default: the OpenAPI document lists priced routes with x-payment-info and a 402', () => {
    const document = createGate(options()).discovery.openapi()
    expect(document.servers).toEqual([{ url: 'https://api.example.test' }])
    expect(Object.keys(document.paths).sort()).toEqual(['/api/items/{id}', '/api/quote', '/api/search'])
    const search = document.paths['/api/search']?.get as Record<string, unknown>
    expect(search['x-payment-info']).toEqual({
      offers: [
        {
          intent: 'charge',
          method: 'evm',
          amount: '1000',
          currency: USDC_BASE,
          description: '0.001 USDC on eip155:8453 (x402 tx).',
        },
      ],
    })
    expect(search.parameters).toEqual([
      { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
    ])
    expect(Object.keys(search.responses as object)).toEqual(['200', '402'])
    const update = document.paths['/api/items/{id}']?.post as Record<string, unknown>
    expect(update.summary).toBe('Update an item')
    expect(update.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ])
    expect(update.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { example: { name: 'a' } } },
    })
  })

  test('behavior: a dynamic price is listed with amount null, never a number', () => {
    const document = createGate(options()).discovery.openapi()
    const quote = document.paths['/api/quote']?.get as Record<string, unknown>
    expect(quote['x-payment-info']).toEqual({
      offers: [
        {
          intent: 'charge',
          method: 'evm',
          amount: null,
          description: 'Priced per request on eip155:8453: the 402 carries the amount.',
        },
      ],
    })
  })

  test('behavior: free routes are listed without payment, and never replace a priced one', () => {
    const document = createGate(
      options({
        discovery: {
          free: { 'GET /api/health': { summary: 'Health' }, 'GET /api/search': { summary: 'shadow' } },
        },
      }),
    ).discovery.openapi()
    expect(document.paths['/api/health']?.get).toEqual({
      summary: 'Health',
      responses: { '200': { description: 'Successful response' } },
    })
    expect(document.paths['/api/search']?.get?.summary).toBe('Web search')
  })

  test('default: the well-known document lists the URLs of priced routes with one URL', () => {
    const gate = createGate(options({ discovery: { instructions: 'Pay with USDC.' } }))
    expect(gate.discovery.wellKnown()).toEqual({
      version: 1,
      resources: ['https://api.example.test/api/search', 'https://api.example.test/api/quote'],
      instructions: 'Pay with USDC.',
    })
  })

  test('error: the well-known document needs an origin', () => {
    const gate = createGate(options({ publicUrl: undefined as unknown as string }))
    expect(() => gate.discovery.wellKnown()).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    expect(gate.discovery.wellKnown({ origin: 'http://localhost:3000/x' }).resources[0]).toBe(
      'http://localhost:3000/api/search',
    )
    expect(gate.discovery.openapi().servers).toBeUndefined()
  })

  test('error: bad discovery options are config_invalid', () => {
    for (const discovery of [
      { openapiPath: 'openapi.json' },
      { wellKnownPath: '/openapi.json' },
      { free: { 'get /x': {} } },
    ]) {
      expect(() => createGate(options({ discovery }))).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      )
    }
    const routes = {
      'POST /api/x': { price: '$0.01', discovery: { input: { schema: { required: ['a'] } } } },
    }
    expect(() => createGate(options({ routes }))).toThrow(/no discovery.input.example/)
    const large = { 'GET /api/x': { price: '$0.01', discovery: { output: { example: 'x'.repeat(4000) } } } }
    expect(() => createGate(options({ routes: large }))).toThrow(/bazaar extension of 4\d{3} bytes/)
    // A larger header limit, or no discovery, lets it through.
    expect(() => createGate(options({ routes: large, maxHeaderBytes: 16_384 }))).not.toThrow()
    expect(() => createGate(options({ routes: large, discovery: false }))).not.toThrow()
  })
})

describe('gate.discovery.priceOf', () => {
  test('default: the fixed ways to pay the route that prices a request', () => {
    const gate = createGate(options())
    expect(gate.discovery.priceOf('POST', '/api/items/9')).toEqual({
      route: 'POST /api/items/:id',
      dynamic: false,
      accepts: [
        {
          scheme: 'tx',
          network: 'eip155:8453',
          asset: USDC_BASE,
          amount: '10000',
          symbol: 'USDC',
          decimals: 6,
          display: '0.01 USDC',
        },
      ],
    })
  })

  test('behavior: a dynamic price has no amount; a free path has no price', () => {
    const gate = createGate(options())
    expect(gate.discovery.priceOf('GET', '/api/quote')).toEqual({
      route: 'GET /api/quote',
      dynamic: true,
      accepts: [],
    })
    expect(gate.discovery.priceOf('GET', '/api/nothing')).toBeUndefined()
  })
})

describe('gate.check: discovery paths', () => {
  test('default: GET /openapi.json and /.well-known/x402 are answered with their documents', async () => {
    const gate = createGate(options())
    for (const [path, kind] of [
      ['/openapi.json', 'openapi'],
      ['/.well-known/x402', 'well-known'],
    ] as const) {
      const decision = await gate.check(new Request(`https://any.host${path}`))
      expect(decision).toMatchObject({ outcome: 'rejected', discovery: kind })
      if (decision.outcome !== 'rejected') throw new Error('unreachable')
      expect(decision.response.status).toBe(200)
      expect(decision.response.headers.get('cache-control')).toBe('max-age=300')
      const body = await decision.response.json()
      expect(body).toEqual(kind === 'openapi' ? gate.discovery.openapi() : gate.discovery.wellKnown())
    }
    const head = await gate.check(new Request('https://any.host/openapi.json', { method: 'HEAD' }))
    if (head.outcome !== 'rejected') throw new Error('unreachable')
    expect(await head.response.text()).toBe('')
    expect((await gate.check(new Request('https://any.host/openapi.json', { method: 'POST' }))).outcome).toBe(
      'free',
    )
  })

  test('behavior: gate.handle answers with the document and never runs the handler', async () => {
    const gate = createGate(options())
    let runs = 0
    const response = await gate.handle(new Request('https://h/.well-known/x402'), () => {
      runs++
      return new Response('app')
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(gate.discovery.wellKnown())
    expect(runs).toBe(0)
  })

  test('behavior: paths are configurable, and discovery: false serves nothing and drops bazaar', async () => {
    const moved = createGate(options({ discovery: { openapiPath: '/docs/openapi.json' } }))
    expect((await moved.check(new Request('https://h/openapi.json'))).outcome).toBe('free')
    expect(await moved.check(new Request('https://h/docs/openapi.json'))).toMatchObject({
      discovery: 'openapi',
    })
    const off = createGate(options({ discovery: false }))
    expect((await off.check(new Request('https://h/openapi.json'))).outcome).toBe('free')
    expect((await off.check(new Request('https://h/.well-known/x402'))).outcome).toBe('free')
    const decision = await off.check(new Request('https://h/api/search'))
    if (decision.outcome !== 'rejected') throw new Error('unreachable')
    expect(decision.paymentRequired?.extensions).not.toHaveProperty('bazaar')
  })

  test('behavior: a priced route at a discovery path wins', async () => {
    const gate = createGate(options({ routes: { 'GET /openapi.json': { price: '$0.5' } } }))
    const decision = await gate.check(new Request('https://h/openapi.json'))
    if (decision.outcome !== 'rejected') throw new Error('unreachable')
    expect(decision.discovery).toBeUndefined()
    expect(decision.response.status).toBe(402)
  })

  test('behavior: without publicUrl the served documents use the request origin', async () => {
    const gate = createGate(options({ publicUrl: undefined as unknown as string }))
    const decision = await gate.check(new Request('http://localhost:8080/.well-known/x402'))
    if (decision.outcome !== 'rejected') throw new Error('unreachable')
    expect((await decision.response.json()).resources[0]).toBe('http://localhost:8080/api/search')
  })
})

describe('the 402: bazaar extension', () => {
  test('default: the 402 describes how to call the route', async () => {
    const gate = createGate(options())
    const decision = await gate.check(new Request('https://h/api/items/42', { method: 'POST' }))
    if (decision.outcome !== 'rejected') throw new Error('unreachable')
    const header = decision.response.headers.get('payment-required') as string
    const bazaar = decodePaymentRequiredHeader(header).extensions?.bazaar as Record<string, unknown>
    expect(bazaar.info).toEqual({
      input: {
        type: 'http',
        method: 'POST',
        bodyType: 'json',
        body: { name: 'a' },
        pathParams: { id: '42' },
      },
    })
    expect(bazaar.routeTemplate).toBe('/api/items/:id')
  })

  test('behavior: a route with discovery: false gets no bazaar extension', async () => {
    const gate = createGate(options())
    const decision = await gate.check(new Request('https://h/api/hidden'))
    if (decision.outcome !== 'rejected') throw new Error('unreachable')
    expect(decision.paymentRequired?.extensions).not.toHaveProperty('bazaar')
  })
})
