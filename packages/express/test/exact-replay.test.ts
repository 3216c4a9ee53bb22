import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import {
  createGate,
  createMemoryStore,
  decodePaymentRequiredHeader,
  type GatePaid,
  type PaymentRequirements,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import {
  devnetRegistry,
  exactHeader,
  proofHeader,
  sendRaw,
  statusOf,
  transfer,
  transfersOnChain,
  usdcBalance,
} from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import express from 'express'
import { type Address, type LocalAccount, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { tollgate } from '../src/index.js'

// The Express adapter hands the held `exact` response to the gate, which keeps it: the same signed
// authorization sent again (raw HTTP) gets it back, marked as a replay, without running the handler
// or moving money a second time (read from the chain).
const SECRET = 'express-secret-express-secret-express-14'
let devnet: Devnet
let payTo: Address
const closers: (() => void)[] = []

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = privateKeyToAccount(generatePrivateKey()).address
})
afterAll(async () => {
  await devnet?.stop()
})
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

async function serve(settler: LocalAccount, maxBodyBytes?: number) {
  const gate = createGate({
    routes: { 'GET /api/report': { price: '$0.01' } },
    payTo,
    store: createMemoryStore(),
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, tx: false, exact: { settler } })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    logger: { warn: () => {} },
    ...(maxBodyBytes === undefined ? {} : { replay: { maxBodyBytes } }),
  })
  let runs = 0
  const app = express()
  app.disable('x-powered-by')
  app.use(tollgate(gate))
  app.get('/api/report', (_request, response) => {
    runs++
    response.setHeader('set-cookie', 'session=secret')
    response.json({ report: 'paid', run: runs })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => {
    server.closeAllConnections()
    server.close()
  })
  const { port } = server.address() as AddressInfo
  return { port, url: `http://127.0.0.1:${port}`, runs: () => runs }
}

async function requirementsOf(url: string): Promise<PaymentRequirements> {
  const response = await fetch(`${url}/api/report`)
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  return required.accepts.find(
    (entry) => entry.asset.toLowerCase() === devnet.tokens.usdc.address.toLowerCase(),
  )!
}

async function actors(): Promise<{ settler: LocalAccount; payer: LocalAccount }> {
  const settler = privateKeyToAccount(generatePrivateKey())
  const payer = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: settler.address, value: parseEther('10') })
  await devnet.mint('usdc', payer.address, 1_000_000n)
  return { settler, payer }
}

/** Sends the paid GET raw and splits the answer into status, lowercase headers and body. */
async function get(port: number, header: string, path = '/api/report') {
  const answer = await sendRaw(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nPAYMENT-SIGNATURE: ${header}\r\nConnection: close\r\n\r\n`,
  )
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  const headers = new Map(
    head
      .split('\r\n')
      .slice(1)
      .map((line) => {
        const colon = line.indexOf(':')
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const
      }),
  )
  const settlement = JSON.parse(
    Buffer.from(headers.get('payment-response') ?? 'e30=', 'base64').toString('utf8'),
  ) as Record<string, unknown>
  return { status: statusOf(answer), headers, body, settlement }
}

describe('express: exact response replay', () => {
  test('behavior: the same authorization sent again -> the held response replayed over the wire, handler run once, paid once', async () => {
    const { settler, payer } = await actors()
    const app = await serve(settler)
    const header = await exactHeader(devnet, payer, await requirementsOf(app.url))
    const first = await get(app.port, header)
    expect(first.status).toBe(200)
    expect(JSON.parse(first.body)).toEqual({ report: 'paid', run: 1 })
    expect(first.headers.get('payment-replay')).toBeUndefined()
    expect(first.settlement).toMatchObject({ success: true, extensions: { replay: { kept: true } } })
    const again = await get(app.port, header)
    expect(again.status).toBe(200)
    expect(again.headers.get('payment-replay')).toBe('true')
    expect(again.headers.get('content-type')).toMatch(/^application\/json/)
    expect(again.headers.get('set-cookie')).toBeUndefined()
    expect(JSON.parse(again.body)).toEqual({ report: 'paid', run: 1 })
    expect(again.settlement).toMatchObject({
      success: true,
      transaction: first.settlement.transaction,
      extensions: { replay: true },
    })
    // The same authorization retried for another request is refused, never answered with this one.
    const other = await get(app.port, header, '/api/report?page=2')
    expect(other.status).toBe(402)
    expect(other.headers.get('payment-replay')).toBeUndefined()
    expect(JSON.parse(other.body)).toMatchObject({ error: 'payment_already_used' })
    expect(app.runs()).toBe(1)
    expect(await transfersOnChain(devnet, payer.address, payTo)).toEqual([10_000n])
    expect(await usdcBalance(devnet, payer.address)).toBe(990_000n)
  })

  test('behavior: a body over replay.maxBodyBytes -> not kept, PAYMENT-RESPONSE says so, the retry is refused as used', async () => {
    const { settler, payer } = await actors()
    const app = await serve(settler, 8)
    const header = await exactHeader(devnet, payer, await requirementsOf(app.url))
    const first = await get(app.port, header)
    expect(first.status).toBe(200)
    expect(first.settlement).toMatchObject({ success: true, extensions: { replay: { kept: false } } })
    const again = await get(app.port, header)
    expect(again.status).toBe(402)
    expect(JSON.parse(again.body)).toMatchObject({ error: 'payment_already_used' })
    expect(app.runs()).toBe(1)
    expect(await transfersOnChain(devnet, payer.address, payTo)).toEqual([10_000n])
  })
})

describe('express: tx response replay', () => {
  test('behavior: the same tx proof sent again -> the response sent whole is kept and replayed over the wire; handler run once', async () => {
    const gate = createGate({
      routes: { 'GET /api/report': { price: '$0.01' } },
      payTo,
      store: createMemoryStore(),
      networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
      secret: SECRET,
      registry: devnetRegistry(devnet),
      logger: { warn: () => {} },
    })
    // Every `keep` the adapter makes is awaited before the retry, so the test never races it.
    const kept: Promise<boolean>[] = []
    const observed = {
      ...gate,
      check: async (...args: Parameters<typeof gate.check>) => {
        const decision = await gate.check(...args)
        if (decision.outcome !== 'paid' || decision.keep === undefined) return decision
        const keep = decision.keep
        return {
          ...decision,
          keep: (response: Parameters<NonNullable<GatePaid['keep']>>[0]) => {
            const done = keep(response)
            kept.push(done)
            return done
          },
        }
      },
    }
    let runs = 0
    const app = express()
    app.disable('x-powered-by')
    app.use(tollgate(observed))
    app.get('/api/report', (_request, response) => {
      runs++
      response.setHeader('content-type', 'text/plain; charset=utf-8')
      // Sent whole: a body written in parts is streamed, and streamed bodies are not kept.
      response.end(`part one, part two, run ${runs}`)
    })
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    closers.push(() => {
      server.closeAllConnections()
      server.close()
    })
    const { port } = server.address() as AddressInfo
    const url = `http://127.0.0.1:${port}`
    const response = await fetch(`${url}/api/report`)
    const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    const requirements = required.accepts.find((entry) => entry.scheme === 'tx')!
    const paid = await transfer(devnet, { from: 5, to: payTo, amount: BigInt(requirements.amount) })
    const header = await proofHeader(devnet, { signer: 5, requirements, hash: paid.hash })
    const first = await get(port, header)
    expect(first.status).toBe(200)
    expect(first.body).toContain('part two, run 1')
    expect(kept).toHaveLength(1)
    await Promise.all(kept)
    const again = await get(port, header)
    expect(again.status).toBe(200)
    expect(again.headers.get('payment-replay')).toBe('true')
    expect(again.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(again.body).toBe('part one, part two, run 1')
    expect(again.settlement).toMatchObject({
      success: true,
      transaction: paid.hash,
      extensions: { replay: true },
    })
    expect(runs).toBe(1)
  })
})
