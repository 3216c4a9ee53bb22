import { describe, expect, test } from 'vitest'
import { evmNetwork } from '../evm/evm-network.js'
import { createGate } from './create-gate.js'
import { toFetchHandler } from './to-fetch-handler.js'
import type { CreateGateOptions } from './types.js'

const options = (overrides: Partial<CreateGateOptions> = {}): CreateGateOptions => ({
  routes: { 'GET /api/search': { price: '$0.001' } },
  payTo: '0x000000000000000000000000000000000000dEaD',
  // Unpaid requests never reach the chain: a closed port is enough.
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret: 'fetch-handler-unit-secret-0123456789abcdef',
  publicUrl: 'https://api.example.test',
  logger: { warn: () => {} },
  ...overrides,
})

function counting() {
  const calls: string[] = []
  const handler = (request: Request) => {
    calls.push(`${request.method} ${new URL(request.url).pathname}`)
    return Response.json({ ok: true }, { headers: { 'x-served': 'yes' } })
  }
  return { calls, handler }
}

describe('toFetchHandler', () => {
  test('behavior: unpaid GET to a priced route -> the 402, the handler not run', async () => {
    const { calls, handler } = counting()
    const fetchHandler = toFetchHandler(createGate(options()), handler)
    const response = await fetchHandler(new Request('https://api.example.test/api/search'))
    expect(response.status).toBe(402)
    expect(response.headers.get('payment-required')).not.toBeNull()
    expect(((await response.json()) as { error: string }).error).toBe('payment_required')
    expect(calls).toEqual([])
  })

  test('behavior: HEAD is priced like GET and answered with its head and no body', async () => {
    const { calls, handler } = counting()
    const fetchHandler = toFetchHandler(createGate(options()), handler)
    const get = await fetchHandler(new Request('https://api.example.test/api/search'))
    const head = await fetchHandler(new Request('https://api.example.test/api/search', { method: 'HEAD' }))
    expect([head.status, head.body]).toEqual([402, null])
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'))
    expect(head.headers.get('payment-required')).not.toBeNull()
    const free = await fetchHandler(new Request('https://api.example.test/health', { method: 'HEAD' }))
    expect([free.status, free.body, free.headers.get('x-served')]).toEqual([200, null, 'yes'])
    expect(calls).toEqual(['HEAD /health'])
  })

  test('behavior: free routes reach the handler untouched, with no receipt', async () => {
    const receipts: unknown[] = []
    const fetchHandler = toFetchHandler(createGate(options()), (_request, receipt) => {
      receipts.push(receipt)
      return new Response('hello', { status: 201 })
    })
    const response = await fetchHandler(new Request('https://api.example.test/health'))
    expect([response.status, await response.text()]).toEqual([201, 'hello'])
    expect(response.headers.get('payment-response')).toBeNull()
    expect(receipts).toEqual([undefined])
  })

  test('behavior: `path` routes by the path the server routes, not the one in the URL', async () => {
    const { calls, handler } = counting()
    const fetchHandler = toFetchHandler(createGate(options()), handler, { path: () => '/api/search?q=1' })
    const response = await fetchHandler(new Request('https://api.example.test/'))
    expect(response.status).toBe(402)
    expect(calls).toEqual([])
  })

  test('behavior: the per-IP rate limit sees what clientIp returns', async () => {
    const gate = createGate(options({ rateLimit: { perIp: { capacity: 1, refillPerSecond: 0.001 } } }))
    const fetchHandler = toFetchHandler(gate, counting().handler, {
      clientIp: (request) => request.headers.get('x-client') ?? undefined,
    })
    const from = (client: string) =>
      fetchHandler(new Request('https://api.example.test/api/search', { headers: { 'x-client': client } }))
    expect((await from('a')).status).toBe(402)
    expect((await from('a')).status).toBe(429)
    expect((await from('b')).status).toBe(402)
  })
})
