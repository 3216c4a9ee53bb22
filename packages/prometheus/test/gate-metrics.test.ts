import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import {
  type CreateGateOptions,
  createGate,
  decodePaymentRequiredHeader,
  type GateHooks,
  type PaymentRequirements,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { createRedisStore, type RedisStore } from '@tollgate/redis'
import { proofHeader, transfer, usdcRegistry } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import express, { type RequestHandler } from 'express'
import type { Address } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { composeHooks, createGateMetrics } from '../src/index.js'

const SECRET = 'prometheus-secret-prometheus-secret-0001'
let devnet: Devnet
let payTo: Address
let deadPort: number
const closers: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
  deadPort = await closedPort()
})
afterAll(async () => {
  await devnet?.stop()
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** A port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function gateOptions(hooks: GateHooks, overrides: Partial<CreateGateOptions> = {}): CreateGateOptions {
  return {
    routes: { 'GET /api/search': { price: '$0.001', description: 'Search' } },
    payTo,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: SECRET,
    registry: usdcRegistry(devnet),
    hooks,
    // Hook failures and the in-memory store warning go here, not to the console.
    logger: { warn: () => {} },
    // These tests count refusals of a spent proof: replay of kept answers is off here.
    replay: { maxBodyBytes: 0 },
    ...overrides,
  }
}

/** A real Express app: `/metrics` (when given), the gate, and a priced search route. */
async function serve(gate: RequestHandler, metricsHandler?: RequestHandler): Promise<string> {
  const app = express()
  app.disable('x-powered-by')
  if (metricsHandler !== undefined) app.get('/metrics', metricsHandler)
  app.use(gate)
  app.get('/api/search', (_request, response) => {
    response.json({ results: ['one'], paidBy: response.locals.tollgate?.payer })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function requirementsFrom(url: string): Promise<PaymentRequirements> {
  const response = await fetch(`${url}/api/search`)
  expect(response.status).toBe(402)
  return decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).accepts.find(
    (entry) => entry.scheme === 'tx',
  )!
}

/** Pays the search route for real: an ERC-20 transfer on the devnet and a signed proof. */
async function pay(url: string, from = 0): Promise<string> {
  const requirements = await requirementsFrom(url)
  const paid = await transfer(devnet, { from, to: payTo, amount: BigInt(requirements.amount) })
  return proofHeader(devnet, { signer: from, requirements, hash: paid.hash, blockNumber: paid.blockNumber })
}

function search(url: string, header?: string) {
  return fetch(`${url}/api/search`, header === undefined ? {} : { headers: { 'PAYMENT-SIGNATURE': header } })
}

/** Scrapes `/metrics` over HTTP: content type, and every non-bucket sample with the token address named. */
async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`)
  expect(response.status).toBe(200)
  const samples = (await response.text())
    .split('\n')
    .filter((line) => line.startsWith('tollgate_') && !line.includes('_bucket{') && !line.includes('_sum{'))
    .map((line) => line.replaceAll(devnet.tokens.usdc.address, '<usdc>'))
  return { contentType: response.headers.get('content-type'), samples }
}

describe('createGateMetrics with a real gate', () => {
  test('default: unpaid, paid, replayed, RPC-down and store-down requests, scraped over HTTP', async () => {
    const metrics = createGateMetrics()
    const url = await serve(tollgate(createGate(gateOptions(metrics.hooks))), metrics.handler)

    // Unpaid: a 402 challenge, which is not a rejection.
    expect((await search(url)).status).toBe(402)
    expect((await scrape(url)).samples).toEqual(['tollgate_store_errors_total 0'])

    // Paid with a real transfer, then the same proof again.
    const header = await pay(url)
    const paid = await search(url, header)
    expect(paid.status).toBe(200)
    const replay = await search(url, header)
    expect([replay.status, (await replay.json()).error]).toEqual([402, 'payment_already_used'])

    // The same metrics fed by a gate whose RPC node is down: fail closed, counted per network.
    const rpcDown = await serve(
      tollgate(
        createGate(
          gateOptions(metrics.hooks, {
            networks: [
              evmNetwork({
                network: devnet.network,
                rpcUrl: `http://127.0.0.1:${deadPort}`,
                assets: ['USDC'],
              }),
            ],
          }),
        ),
      ),
    )
    const unverifiable = await search(rpcDown, await pay(rpcDown))
    expect([
      unverifiable.status,
      unverifiable.headers.get('retry-after'),
      (await unverifiable.json()).error,
    ]).toEqual([503, '2', 'rpc_unavailable'])

    // And by a gate whose Redis is unreachable: refused before any verification.
    const store: RedisStore = createRedisStore({
      url: `redis://127.0.0.1:${deadPort}`,
      commandTimeoutMs: 200,
    })
    closers.push(() => store.close())
    const storeDown = await serve(tollgate(createGate(gateOptions(metrics.hooks, { store }))))
    const unclaimable = await search(storeDown, await pay(storeDown))
    expect([
      unclaimable.status,
      unclaimable.headers.get('retry-after'),
      (await unclaimable.json()).error,
    ]).toEqual([503, '1', 'store_unavailable'])

    const { contentType, samples } = await scrape(url)
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(samples).toMatchInlineSnapshot(`
      [
        "tollgate_payments_total{route="GET /api/search",scheme="tx",network="eip155:31337",asset="<usdc>",method="payment"} 1",
        "tollgate_revenue_atomic_total{route="GET /api/search",scheme="tx",network="eip155:31337",asset="<usdc>"} 1000",
        "tollgate_rejections_total{route="GET /api/search",code="payment_already_used"} 1",
        "tollgate_rejections_total{route="GET /api/search",code="rpc_unavailable"} 1",
        "tollgate_rejections_total{route="GET /api/search",code="store_unavailable"} 1",
        "tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:31337",outcome="success"} 1",
        "tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:31337",outcome="error"} 1",
        "tollgate_rpc_errors_total{network="eip155:31337"} 1",
        "tollgate_store_errors_total 1",
      ]
    `)
  })

  test('behavior: metrics composed with a user hook -> both see every event', async () => {
    const metrics = createGateMetrics()
    const events: string[] = []
    const user: GateHooks = {
      onPayment: ({ receipt }) => events.push(`payment ${receipt.method} ${receipt.amount}`),
      onReject: ({ error }) => events.push(`reject ${error.code}`),
      onVerify: ({ scheme, error }) => events.push(`verify ${scheme} ${error?.code ?? 'ok'}`),
    }
    const url = await serve(
      tollgate(createGate(gateOptions(composeHooks(user, metrics.hooks)))),
      metrics.handler,
    )
    const header = await pay(url)
    expect((await search(url, header)).status).toBe(200)
    expect((await search(url, header)).status).toBe(402)
    expect(events).toEqual(['verify tx ok', 'payment payment 1000', 'reject payment_already_used'])
    expect((await scrape(url)).samples).toMatchInlineSnapshot(`
      [
        "tollgate_payments_total{route="GET /api/search",scheme="tx",network="eip155:31337",asset="<usdc>",method="payment"} 1",
        "tollgate_revenue_atomic_total{route="GET /api/search",scheme="tx",network="eip155:31337",asset="<usdc>"} 1000",
        "tollgate_rejections_total{route="GET /api/search",code="payment_already_used"} 1",
        "tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:31337",outcome="success"} 1",
        "tollgate_store_errors_total 0",
      ]
    `)
  })

  test('behavior: a user hook that throws (or rejects) changes neither the answers nor the metrics', async () => {
    const metrics = createGateMetrics()
    const fail = () => {
      throw new Error('user hook exploded')
    }
    const throwing: GateHooks = { onPayment: fail, onReject: fail, onVerify: fail, onSettle: fail }
    const rejecting = { onPayment: async () => fail(), onVerify: async () => fail() } as GateHooks
    const url = await serve(
      tollgate(createGate(gateOptions(composeHooks(throwing, rejecting, metrics.hooks, throwing)))),
      metrics.handler,
    )
    const header = await pay(url)
    const paid = await search(url, header)
    expect(paid.status).toBe(200)
    expect(paid.headers.get('PAYMENT-RESPONSE')).not.toBeNull()
    expect((await paid.json()).paidBy).toBe(devnet.accounts[0]!.address)
    const replay = await search(url, header)
    expect([replay.status, (await replay.json()).error]).toEqual([402, 'payment_already_used'])
    // Exactly what the gate without a failing hook records (first test).
    const { samples } = await scrape(url)
    expect(samples.filter((line) => !line.includes('verification_duration'))).toEqual([
      'tollgate_payments_total{route="GET /api/search",scheme="tx",network="eip155:31337",asset="<usdc>",method="payment"} 1',
      'tollgate_revenue_atomic_total{route="GET /api/search",scheme="tx",network="eip155:31337",asset="<usdc>"} 1000',
      'tollgate_rejections_total{route="GET /api/search",code="payment_already_used"} 1',
      'tollgate_store_errors_total 0',
    ])
    expect(samples).toContain(
      'tollgate_verification_duration_seconds_count{scheme="tx",network="eip155:31337",outcome="success"} 1',
    )
  })
})
