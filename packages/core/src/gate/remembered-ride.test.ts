import { describe, expect, test } from 'vitest'
import { evmNetwork } from '../evm/evm-network.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { encodePass } from '../pass/encode-pass.js'
import { checkRequest } from './check-request.js'
import { createGate } from './create-gate.js'
import { createGateRuntime } from './gate-runtime.js'
import { rideRemembered } from './remembered-ride.js'
import type { CreateGateOptions, GateRequest } from './types.js'

const secret = 'remembered-ride-unit-secret-0123456789abc'
const authority = 'http://127.0.0.1:4021'
const start = Date.UTC(2026, 0, 1)

const options = (clock: { now: number }, overrides: Partial<CreateGateOptions> = {}): CreateGateOptions => ({
  routes: {
    'GET /api/search': { price: '$0.001' },
    'GET /api/admin/:id': { price: '$1' },
  },
  payTo: '0x000000000000000000000000000000000000dEaD',
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret,
  logger: { warn: () => {} },
  now: () => clock.now,
  ...overrides,
})

const pass = async (routes = ['GET /api/search'], origin = authority) =>
  (
    await encodePass(
      {
        sub: '0x00000000000000000000000000000000000aBcDe',
        scope: { routes, origin },
        ttlSeconds: 600,
        iat: Math.floor(start / 1000),
      },
      { keyring: createKeyring(secret) },
    )
  ).token

/** A request as an adapter hands it over: the routed path, the URL it built, and its header lookup. */
type Ride = { method?: string; path?: string | undefined; url?: string; headers?: Record<string, string> }

const request = (token: string, ride: Ride = {}): GateRequest => {
  const headers: Record<string, string> = { host: '127.0.0.1:4021', 'x-payment-pass': token, ...ride.headers }
  const path = 'path' in ride ? ride.path : '/api/search?q=1'
  const gateRequest: GateRequest = {
    method: ride.method ?? 'GET',
    url: ride.url ?? (path?.startsWith('http') ? path : `${authority}${path ?? '/api/search?q=1'}`),
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
  }
  if (path !== undefined) gateRequest.path = path
  return gateRequest
}

// Every input a pass ride's decision depends on, changed one at a time from the remembered ride.
const variants = (token: string, other: string): [string, GateRequest][] => [
  ['another query', request(token, { path: '/api/search?q=2' })],
  ['no query', request(token, { path: '/api/search' })],
  ['an empty query', request(token, { path: '/api/search?' })],
  ['POST', request(token, { method: 'POST' })],
  ['HEAD', request(token, { method: 'HEAD' })],
  ['a trailing slash', request(token, { path: '/api/search/?q=1' })],
  ['another case', request(token, { path: '/API/Search?q=1' })],
  ['a dot segment', request(token, { path: '/api/./search?q=1' })],
  ['a dot-dot segment', request(token, { path: '/api/admin/../search?q=1' })],
  ['an escaped letter', request(token, { path: '/api/%73earch?q=1' })],
  ['a fragment', request(token, { path: '/api/search#x' })],
  ['a fragment after the query', request(token, { path: '/api/search?q=1#x' })],
  ['a longer path', request(token, { path: '/api/searchx?q=1' })],
  ['a deeper path', request(token, { path: '/api/search/deeper?q=1' })],
  ['a route out of scope', request(token, { path: '/api/admin/1?q=1' })],
  ['an absolute-form target', request(token, { path: `${authority}/api/search?q=1` })],
  ['no routed path', request(token, { path: undefined })],
  ['another Host', request(token, { headers: { host: '127.0.0.1:4022' } })],
  ['an invalid Host', request(token, { headers: { host: 'bad host!' } })],
  ['another URL authority', request(token, { url: 'http://127.0.0.1:4022/api/search?q=1' })],
  ['another scheme', request(token, { url: 'https://127.0.0.1:4021/api/search?q=1' })],
  ['a longer URL authority', request(token, { url: 'http://127.0.0.1:40210/api/search?q=1' })],
  ['a payment beside', request(token, { headers: { 'payment-signature': 'not-a-payment' } })],
  ['an x402 v1 payment beside', request(token, { headers: { 'x-payment': 'not-a-payment' } })],
  ['an MPP credential beside', request(token, { headers: { authorization: 'Payment not-a-credential' } })],
  ['another pass', request(other)],
  ['a forged pass', request(`${token.slice(0, -4)}AAAA`)],
]

// The variants that are the same ride: only the query differs.
const sameRide = ['another query', 'no query', 'an empty query', 'a fragment after the query']

// What a request is answered: status, error code, and whether the handler ran.
async function answer(gate: ReturnType<typeof createGate>, gateRequest: GateRequest) {
  let ran = false
  const response = await gate.handle(
    new Request(gateRequest.url, { method: gateRequest.method }),
    () => {
      ran = true
      return new Response('ok')
    },
    {
      headers: gateRequest.headers,
      ...(gateRequest.path === undefined ? {} : { path: gateRequest.path }),
    },
  )
  const body = response.status === 200 ? undefined : ((await response.json()) as { error?: string }).error
  return [response.status, body, ran]
}

describe('remembered pass rides', () => {
  test('behavior: after a ride is remembered, every other request is answered as a fresh gate answers it', async () => {
    const token = await pass()
    const other = await pass(['GET /api/admin/:id'])
    for (const [name, variant] of variants(token, other)) {
      const clock = { now: start + 5_000 }
      const warmed = createGate(options(clock))
      // Verified, then admitted as known and remembered, then answered from what was remembered.
      for (let ride = 0; ride < 3; ride++) {
        expect(await answer(warmed, request(token))).toEqual([200, undefined, true])
      }
      const fresh = createGate(options(clock))
      expect([name, ...(await answer(warmed, variant))]).toEqual([name, ...(await answer(fresh, variant))])
    }
  })

  test('behavior: an expired pass is refused although its ride was remembered', async () => {
    const clock = { now: start + 5_000 }
    const gate = createGate(options(clock))
    const token = await pass()
    for (let ride = 0; ride < 3; ride++)
      expect(await answer(gate, request(token))).toEqual([200, undefined, true])
    clock.now = start + 600_000 + 31_000
    expect(await answer(gate, request(token))).toEqual([402, 'pass_expired', false])
  })

  test('behavior: with a public URL, the Host does not matter, and the pass must name that origin', async () => {
    const clock = { now: start + 5_000 }
    const publicUrl = 'https://api.example.test'
    const gate = createGate(options(clock, { publicUrl }))
    const token = await pass(['GET /api/search'], publicUrl)
    for (let ride = 0; ride < 3; ride++)
      expect(await answer(gate, request(token))).toEqual([200, undefined, true])
    const elsewhere = request(token, {
      url: 'http://10.0.0.1:9/api/search?q=1',
      headers: { host: '10.0.0.1:9' },
    })
    expect(await answer(gate, elsewhere)).toEqual([200, undefined, true])
    const local = await pass()
    for (let ride = 0; ride < 3; ride++) {
      expect(await answer(gate, request(local))).toEqual([402, 'pass_scope_mismatch', false])
    }
  })
})

describe('rideRemembered', () => {
  test('default: the same ride again, any query, is decided from what was remembered', async () => {
    const runtime = createGateRuntime(options({ now: start + 5_000 }))
    const token = await pass()
    await checkRequest(runtime, request(token))
    // Verified once: known, not remembered yet.
    expect(rideRemembered(runtime, request(token))).toBeUndefined()
    expect(checkRequest(runtime, request(token))).toMatchObject({ outcome: 'paid' })
    for (const path of ['/api/search?q=1', '/api/search?q=2', '/api/search', '/api/search?']) {
      expect(rideRemembered(runtime, request(token, { path }))).toMatchObject({
        outcome: 'paid',
        receipt: { method: 'pass', route: 'GET /api/search' },
      })
    }
  })

  test('behavior: any other request is left to the full check', async () => {
    const runtime = createGateRuntime(options({ now: start + 5_000 }))
    const token = await pass()
    const other = await pass(['GET /api/admin/:id'])
    await checkRequest(runtime, request(token))
    checkRequest(runtime, request(token))
    const decided = variants(token, other)
      .filter(([name]) => !sameRide.includes(name))
      .filter(([, variant]) => rideRemembered(runtime, variant) !== undefined)
      .map(([name]) => name)
    expect(decided).toEqual([])
  })

  test('edge: with a per-IP limit no ride is remembered: the limit counts every request', async () => {
    const bucket = { capacity: 2, refillPerSecond: 0.001 }
    const runtime = createGateRuntime(options({ now: start + 5_000 }, { rateLimit: { perIp: bucket } }))
    const token = await pass()
    for (let ride = 0; ride < 3; ride++) await checkRequest(runtime, request(token), { clientIp: '10.0.0.1' })
    expect(rideRemembered(runtime, request(token))).toBeUndefined()
  })
})
