import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  type PaymentRequired,
  type PaymentRequirements,
} from '@tollgate/core'
import { payWithTx } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSearchResults } from '../src/create-search-results.js'
import { type RunningDemoApi, startDemoApi } from '../src/index.js'

let devnet: Devnet
let api: RunningDemoApi

beforeAll(async () => {
  devnet = await startDevnet()
  const { usdc } = devnet.tokens
  api = await startDemoApi({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    asset: {
      address: usdc.address,
      decimals: usdc.decimals,
      symbol: usdc.symbol,
      name: usdc.name,
      eip712: { name: usdc.name, version: usdc.version },
    },
    payTo: devnet.accounts[9]!.address,
    secret: 'demo-api-test-secret-demo-api-test-secret',
  })
})
afterAll(async () => {
  await api?.close()
  await devnet?.stop()
})

type Call = { method: string; path: string; body?: unknown; headers?: Record<string, string> }

function call({ method, path, body, headers = {} }: Call) {
  return fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
}

async function quote(
  request: Call,
): Promise<{ required: PaymentRequired; requirements: PaymentRequirements }> {
  const response = await call(request)
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  return { required, requirements: required.accepts[0]! }
}

describe('demo API', () => {
  test('default: /health is free', async () => {
    const response = await call({ method: 'GET', path: '/health' })
    expect([response.status, await response.json()]).toEqual([200, { ok: true }])
  })

  test.each([
    ['GET', '/api/search?q=agents', '1000'],
    ['POST', '/api/post', '300000'],
    ['POST', '/api/identity', '600000'],
    ['POST', '/api/contract/issue', '1000000'],
    ['POST', '/api/pass', '1000000'],
  ])('default: %s %s answers 402 for %s atomic USDC', async (method, path, amount) => {
    const { required, requirements } = await quote({
      method,
      path,
      ...(method === 'POST' ? { body: {} } : {}),
    })
    expect(required.resource.url).toBe(`${api.url}${path}`)
    expect(required.resource.description).toEqual(expect.any(String))
    expect(required.accepts).toHaveLength(1)
    expect(requirements).toMatchObject({
      scheme: 'tx',
      network: 'eip155:31337',
      asset: devnet.tokens.usdc.address,
      amount,
      payTo: devnet.accounts[9]!.address,
    })
  })

  test('behavior: a search paid with a tx proof returns its deterministic results', async () => {
    const request = { method: 'GET', path: '/api/search?q=agents%20paying' }
    const { requirements } = await quote(request)
    const header = await payWithTx(devnet, requirements, 1)
    const response = await call({ ...request, headers: { 'PAYMENT-SIGNATURE': header } })
    expect(response.status).toBe(200)
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: true,
      network: 'eip155:31337',
      payer: devnet.accounts[1]!.address,
    })
    expect(await response.json()).toEqual(createSearchResults('agents paying'))
    // The same proof again gets the kept answer back, marked as a replay: not served a second time.
    const replay = await call({ ...request, headers: { 'PAYMENT-SIGNATURE': header } })
    expect([replay.status, replay.headers.get('payment-replay')]).toEqual([200, 'true'])
    expect(await replay.json()).toEqual(createSearchResults('agents paying'))
  })

  test('behavior: post, identity and contract routes answer once paid', async () => {
    const cases: [Call, number, Record<string, unknown>][] = [
      [
        { method: 'POST', path: '/api/post', body: { title: 'Hello', body: 'Paid post' } },
        201,
        { content: { title: 'Hello', body: 'Paid post' }, author: devnet.accounts[2]!.address },
      ],
      [
        { method: 'POST', path: '/api/identity', body: { name: 'Ada Lovelace', country: 'gb' } },
        200,
        { status: 'verified', subject: { name: 'Ada Lovelace', country: 'GB' } },
      ],
      [
        { method: 'POST', path: '/api/contract/issue', body: { parties: ['Acme', 'Globex'] } },
        201,
        { title: 'Service agreement', parties: ['Acme', 'Globex'] },
      ],
    ]
    for (const [request, status, expected] of cases) {
      const { requirements } = await quote(request)
      const header = await payWithTx(devnet, requirements, 2)
      const response = await call({ ...request, headers: { 'PAYMENT-SIGNATURE': header } })
      expect([request.path, response.status]).toEqual([request.path, status])
      expect(await response.json()).toMatchObject({ id: expect.any(String), ...expected })
    }
  })

  test('behavior: a pass bought on /api/pass covers searches, and nothing else', async () => {
    const request = { method: 'POST', path: '/api/pass' }
    const { requirements } = await quote(request)
    const header = await payWithTx(devnet, requirements, 3)
    const bought = await call({ ...request, headers: { 'PAYMENT-SIGNATURE': header } })
    expect(bought.status).toBe(200)
    const body = (await bought.json()) as { pass: { token: string; expiresAt: number }; howToUse: string }
    const settled = decodePaymentResponseHeader(bought.headers.get('PAYMENT-RESPONSE')!)
    expect(settled.extensions?.pass).toEqual(body.pass)
    expect(body.pass.expiresAt - Date.now() / 1000).toBeGreaterThan(86_000)
    expect(body.howToUse).toContain('X-Payment-Pass')

    const search = await call({
      method: 'GET',
      path: '/api/search?q=with%20a%20pass',
      headers: { 'X-Payment-Pass': body.pass.token },
    })
    expect(search.status).toBe(200)
    expect(((await search.json()) as { query: string }).query).toBe('with a pass')
    const post = await call({
      method: 'POST',
      path: '/api/post',
      body: {},
      headers: { 'X-Payment-Pass': body.pass.token },
    })
    expect(post.status).toBe(402)
  })

  test('error: a malformed body is refused before the payment is consumed', async () => {
    const request = { method: 'POST', path: '/api/post' }
    const { requirements } = await quote({ ...request, body: {} })
    const header = await payWithTx(devnet, requirements, 4)
    const broken = await call({ ...request, body: '{"title": ', headers: { 'PAYMENT-SIGNATURE': header } })
    expect([broken.status, ((await broken.json()) as { error: string }).error]).toEqual([
      400,
      'entity_parse_failed',
    ])
    const fixed = await call({
      ...request,
      body: { title: 'Fixed' },
      headers: { 'PAYMENT-SIGNATURE': header },
    })
    expect(fixed.status).toBe(201)
  })

  test('error: unknown routes -> 404 JSON', async () => {
    const response = await call({ method: 'GET', path: '/nope' })
    expect([response.status, await response.json()]).toEqual([
      404,
      { error: 'not_found', message: 'No such route.' },
    ])
  })
})
