import {
  createGate,
  createKeyring,
  decodePaymentResponseHeader,
  encodePass,
  type PaymentReceipt,
} from '@tollgate/core'
import { payWithTx, usdcBalance } from '@tollgate/test-support'
import { type Context, Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { paidHandler, type TollgateEnv, tollgate } from '../src/index.js'
import { useDevnetBed } from './support/devnet-bed.js'

const SECRET = 'hono-secret-hono-secret-hono-secret-0002'
const ORIGIN = 'https://api.example.test'
const { devnet: devnetOf, payTo: payToOf, gateOptions, listen, requirementsOf } = useDevnetBed(SECRET)

/** A pass of the gate's secret for `GET /api/search` at {@link ORIGIN}. */
async function searchPass(): Promise<string> {
  const sub = '0x00000000000000000000000000000000000aBcDe'
  const scope = { routes: ['GET /api/search'], origin: ORIGIN }
  return (await encodePass({ sub, scope, ttlSeconds: 600 }, { keyring: createKeyring(SECRET) })).token
}

const ride = (token: string, path = '/api/search?q=1') =>
  new Request(`${ORIGIN}${path}`, { headers: { 'X-Payment-Pass': token } })

describe('paidHandler (hono)', () => {
  test('default: paid -> 200 with PAYMENT-RESPONSE and the receipt in c.get("tollgate"); a path the gate does not price gets none', async () => {
    const receipts: (PaymentReceipt | undefined)[] = []
    const gate = createGate(gateOptions())
    const app = new Hono<TollgateEnv>()
    const search = paidHandler(gate, (c) => {
      receipts.push(c.get('tollgate'))
      return c.json({ results: ['one'] })
    })
    app.get('/health', search)
    // A mounted sub-app: the gate prices the full path Hono routes.
    const api = new Hono<TollgateEnv>()
    api.get('/search', search)
    app.route('/api', api)
    const url = await listen(app)
    const free = await fetch(`${url}/health`)
    expect([free.status, free.headers.get('payment-response')]).toEqual([200, null])
    const requirements = await requirementsOf(`${url}/api/search?q=hono`)
    const header = await payWithTx(devnetOf(), requirements, 2)
    const paid = await fetch(`${url}/api/search?q=hono`, { headers: { 'PAYMENT-SIGNATURE': header } })
    expect([paid.status, await paid.json()]).toEqual([200, { results: ['one'] }])
    const settlement = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({ success: true, payer: devnetOf().accounts[2]!.address })
    expect(receipts).toEqual([
      undefined,
      expect.objectContaining({ method: 'payment', route: 'GET /api/search', scheme: 'tx', amount: '1000' }),
    ])
  })

  test('behavior: a ride on a known pass is answered without a promise; a first ride and an unpaid request with one', async () => {
    const gate = createGate(gateOptions({ publicUrl: ORIGIN }))
    const receipts: (PaymentReceipt | undefined)[] = []
    const app = new Hono<TollgateEnv>()
    app.get(
      '/api/search',
      paidHandler(gate, (c) => {
        receipts.push(c.get('tollgate'))
        return c.json({ results: [] })
      }),
    )
    const token = await searchPass()
    const first = app.fetch(ride(token))
    expect(first).toBeInstanceOf(Promise)
    expect((await first).status).toBe(200)
    const known = app.fetch(ride(token))
    expect(known instanceof Promise).toBe(false)
    expect(known).toBeInstanceOf(Response)
    expect([(known as Response).status, await (known as Response).json()]).toEqual([200, { results: [] }])
    expect(receipts[1]).toMatchObject({
      method: 'pass',
      route: 'GET /api/search',
      passId: expect.any(String),
    })
    const unpaid = app.fetch(new Request(`${ORIGIN}/api/search`))
    expect(unpaid).toBeInstanceOf(Promise)
    expect((await unpaid).status).toBe(402)
    // The middleware, on the same ride, always answers through a promise.
    const middleware = new Hono<TollgateEnv>()
    middleware.use(tollgate(gate))
    middleware.get('/api/search', (c) => c.json({ results: [] }))
    expect(middleware.fetch(ride(token))).toBeInstanceOf(Promise)
  })

  test('error: a handler that throws goes through app.onError, uncharged: the tx proof is freed and served on a retry', async () => {
    let runs = 0
    const errors: unknown[] = []
    const app = new Hono<TollgateEnv>()
    app.get(
      '/api/search',
      paidHandler(gateOptions(), (c) => {
        runs++
        if (runs === 1) throw new Error('handler exploded')
        return c.json({ results: ['two'] })
      }),
    )
    app.onError((error, c) => {
      errors.push(error)
      return c.json({ error: 'handler_failed' }, 500)
    })
    const url = await listen(app)
    const requirements = await requirementsOf(`${url}/api/search`)
    const before = await usdcBalance(devnetOf(), payToOf())
    const header = await payWithTx(devnetOf(), requirements, 3)
    const failed = await fetch(`${url}/api/search`, { headers: { 'PAYMENT-SIGNATURE': header } })
    expect([failed.status, await failed.json()]).toEqual([500, { error: 'handler_failed' }])
    expect(errors).toEqual([new Error('handler exploded')])
    // The gate's failure headers reach the answer onError built from `c`.
    expect(decodePaymentResponseHeader(failed.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: false,
      errorReason: 'service_failed',
      extensions: { retryable: true },
    })
    const retried = await fetch(`${url}/api/search`, { headers: { 'PAYMENT-SIGNATURE': header } })
    expect([retried.status, await retried.json()]).toEqual([200, { results: ['two'] }])
    expect(decodePaymentResponseHeader(retried.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: true,
    })
    expect(runs).toBe(2)
    expect((await usdcBalance(devnetOf(), payToOf())) - before).toBe(1000n)
  })

  test('error: a handler that throws or rejects on a pass ride goes through app.onError; a free one too', async () => {
    const gate = createGate(gateOptions({ publicUrl: ORIGIN }))
    const app = new Hono<TollgateEnv>()
    const failing = paidHandler(gate, (c) => {
      if (c.req.query('async') === '1') return Promise.reject(new Error('rejected'))
      throw new Error('thrown')
    })
    app.get('/api/search', failing)
    app.get('/health', failing)
    app.onError((error, c) => c.json({ error: error.message }, 503))
    const token = await searchPass()
    await app.fetch(ride(token))
    const thrown = app.fetch(ride(token))
    // Thrown at once, answered at once: Hono's error handling ran on the synchronous path.
    expect(thrown).toBeInstanceOf(Response)
    expect([(thrown as Response).status, await (thrown as Response).json()]).toEqual([
      503,
      { error: 'thrown' },
    ])
    const rejected = await app.fetch(ride(token, '/api/search?async=1'))
    expect([rejected.status, await rejected.json()]).toEqual([503, { error: 'rejected' }])
    const free = await app.fetch(new Request(`${ORIGIN}/health`))
    expect([free.status, await free.json()]).toEqual([503, { error: 'thrown' }])
  })

  test('behavior: the per-IP rate limit sees what clientIp returns', async () => {
    const app = new Hono<TollgateEnv>()
    const rateLimit = { perIp: { capacity: 1, refillPerSecond: 0.001 } }
    const options = { clientIp: (c: Context) => c.req.header('x-test-client') }
    app.get(
      '/api/search',
      paidHandler(gateOptions({ rateLimit }), (c) => c.json({ results: [] }), options),
    )
    const url = await listen(app)
    const from = (client: string) => fetch(`${url}/api/search`, { headers: { 'x-test-client': client } })
    expect((await from('a')).status).toBe(402)
    expect((await from('a')).status).toBe(429)
    expect((await from('b')).status).toBe(402)
  })

  test('types: the path given as a type argument types its parameters', async () => {
    const gate = createGate(gateOptions({ routes: { 'GET /api/items/:id': { price: '$0.001' } } }))
    const app = new Hono<TollgateEnv>()
    app.get(
      '/items/:id',
      paidHandler<TollgateEnv, '/items/:id'>(gate, (c) => {
        const id: string = c.req.param('id')
        return c.json({ id })
      }),
    )
    const answer = await app.request('/items/7')
    expect([answer.status, await answer.json()]).toEqual([200, { id: '7' }])
  })
})
