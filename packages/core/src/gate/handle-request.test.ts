import { describe, expect, test } from 'vitest'
import { evmNetwork } from '../evm/evm-network.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { encodePass } from '../pass/encode-pass.js'
import { createGate } from './create-gate.js'
import type { CreateGateOptions, GateRequest, PaymentReceipt } from './types.js'

const secret = 'handle-request-unit-secret-0123456789abcd'
const origin = 'https://api.example.test'
const options = (overrides: Partial<CreateGateOptions> = {}): CreateGateOptions => ({
  routes: { 'GET /api/search': { price: '$0.001' } },
  payTo: '0x000000000000000000000000000000000000dEaD',
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret,
  logger: { warn: () => {} },
  ...overrides,
})
const pass = async (claims: { routes?: string[]; origin?: string; ttlSeconds?: number; iat?: number } = {}) =>
  (
    await encodePass(
      {
        sub: '0x00000000000000000000000000000000000aBcDe',
        scope: { routes: claims.routes ?? ['GET /api/search'], origin: claims.origin ?? origin },
        ttlSeconds: claims.ttlSeconds ?? 600,
        ...(claims.iat === undefined ? {} : { iat: claims.iat }),
      },
      { keyring: createKeyring(secret) },
    )
  ).token
const get = (token: string, headers: Record<string, string> = {}, path = '/api/search?q=1') =>
  new Request(`${origin}${path}`, { headers: { 'X-Payment-Pass': token, ...headers } })
const statusAndError = async (response: Response) => {
  const body = response.status === 200 ? undefined : ((await response.json()) as { error?: string }).error
  return [response.status, body]
}

describe('gate.handle with a pass', () => {
  test('default: the first ride and the next ones reach the handler with the pass receipt', async () => {
    const gate = createGate(options())
    const token = await pass()
    const receipts: (PaymentReceipt | undefined)[] = []
    for (let ride = 0; ride < 3; ride++) {
      const response = await gate.handle(get(token), (_request, receipt) => {
        receipts.push(receipt)
        return new Response('ok')
      })
      expect([response.status, await response.text()]).toEqual([200, 'ok'])
    }
    expect(receipts).toEqual(
      Array(3).fill({
        method: 'pass',
        route: 'GET /api/search',
        payer: '0x00000000000000000000000000000000000aBcDe',
        passId: expect.any(String),
      }),
    )
  })

  test('behavior: onPayment sees each ride with the public URL', async () => {
    const seen: [string, string][] = []
    const gate = createGate(
      options({
        publicUrl: origin,
        hooks: {
          onPayment: ({ receipt, request }: { receipt: PaymentReceipt; request: GateRequest }) => {
            seen.push([receipt.method, request.url])
          },
        },
      }),
    )
    const token = await pass()
    const request = () =>
      new Request('http://10.0.0.1:8080/api/search?q=1', { headers: { 'X-Payment-Pass': token } })
    await gate.handle(request(), () => new Response('ok'))
    await gate.handle(request(), () => new Response('ok'))
    expect(seen).toEqual([
      ['pass', `${origin}/api/search?q=1`],
      ['pass', `${origin}/api/search?q=1`],
    ])
  })

  test('behavior: a known pass stops working when it expires, and outside its scope or origin', async () => {
    let clock = Date.now()
    const gate = createGate(options({ now: () => clock }))
    const token = await pass({ ttlSeconds: 60, iat: Math.floor(clock / 1000) })
    const handler = () => new Response('ok')
    expect(await statusAndError(await gate.handle(get(token), handler))).toEqual([200, undefined])
    const elsewhere = new Request('https://other.example.test/api/search', {
      headers: { 'X-Payment-Pass': token },
    })
    expect(await statusAndError(await gate.handle(elsewhere, handler))).toEqual([402, 'pass_scope_mismatch'])
    const scoped = createGate(options({ routes: { 'GET /api/:any': { price: '$0.001' } }, now: () => clock }))
    expect(await statusAndError(await scoped.handle(get(token), handler))).toEqual([200, undefined])
    expect(await statusAndError(await scoped.handle(get(token, {}, '/api/other'), handler))).toEqual([
      402,
      'pass_scope_mismatch',
    ])
    clock += 60_000 + 31_000
    expect(await statusAndError(await gate.handle(get(token), handler))).toEqual([402, 'pass_expired'])
  })

  test('behavior: a revoked known pass is refused', async () => {
    const gate = createGate(options({ passes: { checkRevocation: true } }))
    const token = await pass()
    const handler = () => new Response('ok')
    expect(await statusAndError(await gate.handle(get(token), handler))).toEqual([200, undefined])
    const [payload] = token.split('.')
    const { jti, exp } = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      jti: string
      exp: number
    }
    await gate.revokePass({ jti, exp })
    expect(await statusAndError(await gate.handle(get(token), handler))).toEqual([402, 'pass_revoked'])
  })

  test('behavior: a payment header beside a known pass is the payment, judged as one', async () => {
    const gate = createGate(options())
    const token = await pass()
    const handler = () => new Response('ok')
    expect(await statusAndError(await gate.handle(get(token), handler))).toEqual([200, undefined])
    const beside = await gate.handle(get(token, { 'PAYMENT-SIGNATURE': 'not-a-payment' }), handler)
    const alone = await gate.handle(
      new Request(`${origin}/api/search?q=1`, { headers: { 'PAYMENT-SIGNATURE': 'not-a-payment' } }),
      handler,
    )
    const answer = await statusAndError(alone)
    expect(answer[0]).not.toBe(200)
    expect(await statusAndError(beside)).toEqual(answer)
  })

  test('error: a handler that throws on a ride answers 500 service_failed', async () => {
    const gate = createGate(options())
    const token = await pass()
    await gate.handle(get(token), () => new Response('ok'))
    const response = await gate.handle(get(token), () => {
      throw new Error('handler down')
    })
    expect(await statusAndError(response)).toEqual([500, 'service_failed'])
  })
})

describe('gate.serve', () => {
  test('default: a ride on a known pass whose handler answers at once is answered without a promise', async () => {
    const gate = createGate(options())
    const token = await pass()
    const receipts: (PaymentReceipt | undefined)[] = []
    const handler = (_request: Request, receipt: PaymentReceipt | undefined) => {
      receipts.push(receipt)
      return new Response('ok')
    }
    // The first ride verifies the token's HMAC: a promise.
    const first = gate.serve(get(token), handler)
    expect(first).toBeInstanceOf(Promise)
    expect((await first).status).toBe(200)
    const next = gate.serve(get(token), handler)
    expect(next).toBeInstanceOf(Response)
    expect([(next as Response).status, await (next as Response).text()]).toEqual([200, 'ok'])
    expect(receipts[1]).toMatchObject({ method: 'pass', route: 'GET /api/search' })
  })

  test('behavior: a free route answers without a promise; an unpaid or asynchronous one with a promise', async () => {
    const gate = createGate(options())
    const token = await pass()
    await gate.serve(get(token), () => new Response('ok'))
    const free = gate.serve(new Request(`${origin}/health`), () => new Response('free'))
    expect(free).toBeInstanceOf(Response)
    const unpaid = gate.serve(new Request(`${origin}/api/search`), () => new Response('ok'))
    expect(unpaid).toBeInstanceOf(Promise)
    expect((await unpaid).status).toBe(402)
    const later = gate.serve(get(token), async () => new Response('later'))
    expect(later).toBeInstanceOf(Promise)
    expect(await (await later).text()).toBe('later')
    // `handle` is the same gate, always behind a promise.
    const handled = gate.handle(get(token), () => new Response('ok'))
    expect(handled).toBeInstanceOf(Promise)
    expect((await handled).status).toBe(200)
  })

  test('error: a handler that throws on a ride answers at once as one that rejects: 500 service_failed', async () => {
    const gate = createGate(options())
    const token = await pass()
    await gate.serve(get(token), () => new Response('ok'))
    const thrown = gate.serve(get(token), () => {
      throw new Error('handler down')
    })
    expect(thrown).toBeInstanceOf(Response)
    const rejected = await gate.serve(get(token), async () => {
      throw new Error('handler down')
    })
    const [status, error] = await statusAndError(thrown as Response)
    expect([status, error]).toEqual([500, 'service_failed'])
    expect(await statusAndError(rejected)).toEqual([status, error])
  })

  test('error: a handler that throws on a free route rejects the promise, as from handle; serve never throws', async () => {
    const gate = createGate(options())
    const failure = new Error('handler down')
    const throwing = () => {
      throw failure
    }
    const served = gate.serve(new Request(`${origin}/health`), throwing)
    expect(served).toBeInstanceOf(Promise)
    await expect(served).rejects.toBe(failure)
    await expect(gate.handle(new Request(`${origin}/health`), throwing)).rejects.toBe(failure)
  })
})
