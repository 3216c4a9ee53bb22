import { once } from 'node:events'
import { type AddressInfo, connect } from 'node:net'
import {
  type CreateGateOptions,
  createGate,
  createMemoryStore,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  type GateDecision,
  type PaymentReceipt,
  type PaymentRequirements,
  type Store,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { devnetRegistry, proofHeader, sendRaw, statusOf, transfer } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import type { Address } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { type TollgateGate, tollgate } from '../src/index.js'

const SECRET = 'express-secret-express-secret-express-01'
let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})

const servers: { close(): void }[] = []
const warnings: string[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

function gateOptions(overrides: Partial<CreateGateOptions> = {}): CreateGateOptions {
  return {
    routes: {
      'GET /api/search': { price: '$0.001', description: 'Search' },
      'POST /api/pass': { price: '$1', pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] } },
      'GET /api/fail': { price: '$0.01' },
      'GET /api/throw': { price: '$0.01' },
      'GET /api/slow': { price: '$0.01' },
      'GET /api/stream': { price: '$0.01' },
      'POST /api/pass-fail': { price: '$1', pass: { ttlSeconds: 3600, scope: ['GET /api/search'] } },
    },
    payTo,
    networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    logger: { warn: (message) => warnings.push(message) },
    ...overrides,
  }
}

/** A gate that keeps a copy of every decision and reports each `complete` call, to compare with the wire. */
function recordingGate(gate: TollgateGate = createGate(gateOptions())) {
  const rejected: Response[] = []
  const completions: number[] = []
  let onComplete: (status: number) => void = () => {}
  const recorder = {
    rejected,
    completions,
    /** Resolves with the status of the next `complete` call, once the gate has finished it. */
    nextCompletion: () => new Promise<number>((resolve) => (onComplete = resolve)),
    check: async (...args: Parameters<TollgateGate['check']>): Promise<GateDecision> => {
      const decision = await gate.check(...args)
      if (decision.outcome === 'rejected') rejected.push(decision.response.clone())
      if (decision.outcome !== 'paid') return decision
      return {
        ...decision,
        complete: async (status) => {
          completions.push(status)
          const result = await decision.complete(status)
          onComplete(status)
          return result
        },
      }
    },
  }
  return recorder
}

type Handlers = {
  calls: Record<string, number>
  errors: unknown[]
  slowStarted: Promise<void>
  finishSlow: () => void
}

/** A real Express app on 127.0.0.1 with the middleware in front of a few handlers. */
async function serve(middleware: RequestHandler) {
  const calls: Record<string, number> = {}
  const errors: unknown[] = []
  let markSlowStarted = () => {}
  const slowStarted = new Promise<void>((resolve) => (markSlowStarted = resolve))
  let finishSlow = () => {}
  const slowFinished = new Promise<void>((resolve) => (finishSlow = resolve))
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1
    return calls[name]
  }

  const app = express()
  app.disable('x-powered-by')
  app.use(middleware)
  app.get('/health', (_request, response) => {
    count('health')
    response.json({ ok: true })
  })
  app.get('/api/search', (_request, response) => {
    count('search')
    response.json({ results: ['one', 'two'], receipt: response.locals.tollgate })
  })
  app.post('/api/pass', (_request, response) => {
    count('pass')
    response.json({ pass: response.locals.tollgate?.pass })
  })
  app.get('/api/fail', (_request, response) => {
    if (count('fail') === 1) response.status(500).json({ error: 'database_down' })
    else response.json({ ok: true })
  })
  app.get('/api/throw', async (_request, response) => {
    if (count('throw') === 1) throw new Error('handler exploded')
    response.json({ ok: true })
  })
  app.get('/api/slow', async (_request, response) => {
    if (count('slow') === 1) {
      markSlowStarted()
      await slowFinished
    }
    response.json({ ok: true })
  })
  app.get('/api/stream', async (_request, response) => {
    count('stream')
    response.writeHead(200, { 'content-type': 'text/plain' })
    for (let chunk = 0; chunk < 10; chunk++) {
      response.write(`chunk ${chunk}\n`)
      await new Promise((resolve) => setImmediate(resolve))
    }
    response.end()
  })
  app.post('/api/pass-fail', (_request, response) => {
    if (count('passFail') === 1) response.status(500).json({ pass: response.locals.tollgate?.pass?.token })
    else response.json({ ok: true })
  })
  const onError: ErrorRequestHandler = (error, _request, response, _next) => {
    errors.push(error)
    response.status(500).json({ error: 'handler_failed' })
  }
  app.use(onError)

  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  servers.push({
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const handlers: Handlers = { calls, errors, slowStarted, finishSlow }
  return { url, ...handlers }
}

async function requirementsFor(url: string, path: string, method = 'GET'): Promise<PaymentRequirements> {
  const response = await fetch(`${url}${path}`, { method })
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  const requirements = required.accepts.find((entry) => entry.scheme === 'tx')
  expect(requirements).toBeDefined()
  return requirements!
}

/** Pays a route for real: 402, an ERC-20 transfer on the devnet, and a signed proof header. */
async function pay(url: string, path: string, options: { method?: string; from?: number } = {}) {
  const from = options.from ?? 0
  const requirements = await requirementsFor(url, path, options.method)
  const paid = await transfer(devnet, { from, to: payTo, amount: BigInt(requirements.amount) })
  const header = await proofHeader(devnet, {
    signer: from,
    requirements,
    hash: paid.hash,
    blockNumber: paid.blockNumber,
  })
  return { header, paid, requirements }
}

function send(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return fetch(`${url}${path}`, { method, headers })
}

describe('tollgate', () => {
  test('default: free routes are untouched', async () => {
    const recorder = recordingGate()
    const server = await serve(tollgate(recorder))
    const response = await send(server.url, '/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    expect(response.headers.get('PAYMENT-RESPONSE')).toBeNull()
    expect(server.calls.health).toBe(1)
    expect(recorder.completions).toEqual([])
  })

  test('default: unpaid -> the 402 gate.check built, byte for byte', async () => {
    const recorder = recordingGate()
    const server = await serve(tollgate(recorder))
    const response = await send(server.url, '/api/search?q=express%20402')
    const [expected] = recorder.rejected
    expect(expected).toBeDefined()
    expect(response.status).toBe(expected!.status)
    expect(response.statusText).toBe('Payment Required')
    for (const [name, value] of expected!.headers)
      expect([name, response.headers.get(name)]).toEqual([name, value])
    const added = [...response.headers.keys()].filter((name) => !expected!.headers.has(name))
    expect(added.sort()).toEqual(['connection', 'content-length', 'date', 'keep-alive'])
    const body = Buffer.from(await response.arrayBuffer())
    expect(body.equals(Buffer.from(await expected!.arrayBuffer()))).toBe(true)
    const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    expect(required.resource).toEqual({
      url: `${server.url}/api/search?q=express%20402`,
      description: 'Search',
    })
    expect(server.calls.search).toBeUndefined()
  })

  test('behavior: paid -> 200 with PAYMENT-RESPONSE, the receipt in response.locals, complete called once', async () => {
    const recorder = recordingGate()
    const server = await serve(tollgate(recorder))
    const { header, paid } = await pay(server.url, '/api/search?q=paid', { from: 1 })
    const completed = recorder.nextCompletion()
    const response = await send(server.url, '/api/search?q=paid', { 'PAYMENT-SIGNATURE': header })
    expect(response.status).toBe(200)
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toEqual({
      success: true,
      transaction: paid.hash,
      network: 'eip155:31337',
      payer: devnet.accounts[1]!.address,
    })
    const body = (await response.json()) as { results: string[]; receipt: PaymentReceipt }
    expect(body.receipt).toEqual({
      method: 'payment',
      route: 'GET /api/search',
      payer: devnet.accounts[1]!.address,
      scheme: 'tx',
      network: 'eip155:31337',
      asset: devnet.tokens.usdc.address,
      amount: '1000',
      transaction: paid.hash,
    })
    expect(await completed).toBe(200)
    // The connection's `close` after `finish` must not report a second time.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(recorder.completions).toEqual([200])
  })

  test('error: replaying a used proof with replay off -> 402 payment_already_used', async () => {
    const server = await serve(tollgate(gateOptions({ replay: { maxBodyBytes: 0 } })))
    const { header } = await pay(server.url, '/api/search')
    expect((await send(server.url, '/api/search', { 'PAYMENT-SIGNATURE': header })).status).toBe(200)
    const replay = await send(server.url, '/api/search', { 'PAYMENT-SIGNATURE': header })
    expect(replay.status).toBe(402)
    expect(replay.headers.get('PAYMENT-REQUIRED')).toBeTruthy()
    expect(((await replay.json()) as { error: string }).error).toBe('payment_already_used')
    expect(server.calls.search).toBe(1)
  })

  test('behavior: a handler that answers 500 frees the proof; the same proof is accepted on retry', async () => {
    // A store whose release takes a while, like a remote one: the 500 must wait for it, or an
    // agent retrying at once would find its proof still claimed.
    const memory = createMemoryStore()
    const store: Store = {
      ...memory,
      release: async (key, token) => {
        await new Promise((resolve) => setTimeout(resolve, 100))
        return memory.release(key, token)
      },
    }
    const recorder = recordingGate(createGate(gateOptions({ store, replay: { maxBodyBytes: 0 } })))
    const server = await serve(tollgate(recorder))
    const { header } = await pay(server.url, '/api/fail', { from: 2 })
    const first = await send(server.url, '/api/fail', { 'PAYMENT-SIGNATURE': header })
    expect([first.status, await first.json()]).toEqual([500, { error: 'database_down' }])
    const second = await send(server.url, '/api/fail', { 'PAYMENT-SIGNATURE': header })
    expect(second.status).toBe(200)
    expect(second.headers.get('PAYMENT-RESPONSE')).toBeTruthy()
    const third = await send(server.url, '/api/fail', { 'PAYMENT-SIGNATURE': header })
    expect([third.status, ((await third.json()) as { error: string }).error]).toEqual([
      402,
      'payment_already_used',
    ])
    expect(recorder.completions).toEqual([500, 200])
  })

  test('behavior: a client that hangs up while the handler runs is charged once; the handler runs once', async () => {
    const recorder = recordingGate()
    const server = await serve(tollgate(recorder))
    const { header } = await pay(server.url, '/api/slow', { from: 4 })
    const abort = new AbortController()
    const pending = fetch(`${server.url}/api/slow`, {
      headers: { 'PAYMENT-SIGNATURE': header },
      signal: abort.signal,
    })
    await server.slowStarted
    abort.abort()
    await expect(pending).rejects.toThrow()
    // The handler is still serving this payment: the same proof is not admitted a second time.
    const whileRunning = await send(server.url, '/api/slow', { 'PAYMENT-SIGNATURE': header })
    expect(whileRunning.status).not.toBe(200)
    expect(recorder.completions).toEqual([])
    const completed = recorder.nextCompletion()
    server.finishSlow()
    // The outcome is the status the handler wrote into the closed connection.
    expect(await completed).toBe(200)
    // The answer written into the closed connection is kept (its store write may still be under
    // way, a state waited for): the same proof gets it back as a replay, the handler runs once.
    let replay = await send(server.url, '/api/slow', { 'PAYMENT-SIGNATURE': header })
    for (let tries = 0; tries < 100 && replay.headers.get('payment-replay') === null; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      replay = await send(server.url, '/api/slow', { 'PAYMENT-SIGNATURE': header })
    }
    expect([replay.status, replay.headers.get('payment-replay')]).toEqual([200, 'true'])
    expect(server.calls.slow).toBe(1)
    expect(recorder.completions).toEqual([200])
  })

  test('behavior: a streamed answer read 9 of 10 chunks, then a hang-up: the replay is refused', async () => {
    const recorder = recordingGate()
    const server = await serve(tollgate(recorder))
    const { header } = await pay(server.url, '/api/stream', { from: 7 })
    const completed = recorder.nextCompletion()
    const answer = await readChunksThenHangUp(server.url, '/api/stream', header, 9)
    expect(answer).toContain('chunk 8')
    expect(await completed).toBe(200)
    const replay = await send(server.url, '/api/stream', { 'PAYMENT-SIGNATURE': header })
    expect([replay.status, ((await replay.json()) as { error: string }).error]).toEqual([
      402,
      'payment_already_used',
    ])
    expect(server.calls.stream).toBe(1)
    expect(recorder.completions).toEqual([200])
  })

  test('behavior: a pass-selling handler that answers 500 leaks no pass, says the proof can be retried, and frees it', async () => {
    const server = await serve(tollgate(gateOptions()))
    const { header } = await pay(server.url, '/api/pass-fail', { method: 'POST', from: 8 })
    const failed = await send(server.url, '/api/pass-fail', { 'PAYMENT-SIGNATURE': header }, 'POST')
    expect(failed.status).toBe(500)
    const failure = decodePaymentResponseHeader(failed.headers.get('PAYMENT-RESPONSE')!)
    expect(failure).toMatchObject({
      success: false,
      errorReason: 'service_failed',
      extensions: { retryable: true },
    })
    expect(failure.extensions?.pass).toBeUndefined()
    await failed.arrayBuffer()
    const retried = await send(server.url, '/api/pass-fail', { 'PAYMENT-SIGNATURE': header }, 'POST')
    expect(retried.status).toBe(200)
    const settled = decodePaymentResponseHeader(retried.headers.get('PAYMENT-RESPONSE')!)
    expect(settled.success).toBe(true)
    expect(settled.extensions?.pass).toBeDefined()
    expect(server.calls.passFail).toBe(2)
  })

  test('error: a malformed Host without publicUrl -> 400 host_invalid, never 500 and never free', async () => {
    const server = await serve(tollgate(gateOptions()))
    const { port } = new URL(server.url)
    for (const host of ['a b', 'x:99999', 'x?', '127.0.0.1:4021/']) {
      const answer = await sendRaw(
        Number(port),
        `GET /api/search HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      )
      expect([host, statusOf(answer), answer.includes('"error":"host_invalid"')]).toEqual([host, 400, true])
    }
    expect(server.calls.search).toBeUndefined()
  })

  test('behavior: with publicUrl, the 402 resource and a pass origin come from it, not from Host', async () => {
    const server = await serve(tollgate(gateOptions({ publicUrl: 'https://api.example.test/ignored' })))
    const { port } = new URL(server.url)
    const answer = await sendRaw(
      Number(port),
      'GET /api/search?q=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    )
    expect(statusOf(answer)).toBe(402)
    const header = /^payment-required: (.+)$/im.exec(answer)![1]!.trim()
    expect(decodePaymentRequiredHeader(header).resource.url).toBe('https://api.example.test/api/search?q=1')
    const { header: proof } = await pay(server.url, '/api/pass', { method: 'POST', from: 1 })
    const bought = await send(server.url, '/api/pass', { 'PAYMENT-SIGNATURE': proof }, 'POST')
    const pass = decodePaymentResponseHeader(bought.headers.get('PAYMENT-RESPONSE')!).extensions?.pass as {
      scope: { origin: string }
    }
    expect(pass.scope.origin).toBe('https://api.example.test')
  })

  test('behavior: a pass is bought, then used with X-Payment-Pass instead of paying', async () => {
    const server = await serve(tollgate(gateOptions()))
    const { header } = await pay(server.url, '/api/pass', { method: 'POST', from: 5 })
    const bought = await send(server.url, '/api/pass', { 'PAYMENT-SIGNATURE': header }, 'POST')
    expect(bought.status).toBe(200)
    const settled = decodePaymentResponseHeader(bought.headers.get('PAYMENT-RESPONSE')!)
    const pass = settled.extensions?.pass as { token: string; scope: { routes: string[]; origin: string } }
    expect(pass.scope).toEqual({ routes: ['GET /api/search'], origin: server.url })
    expect(((await bought.json()) as { pass: { token: string } }).pass.token).toBe(pass.token)

    const used = await send(server.url, '/api/search?q=with-pass', { 'X-Payment-Pass': pass.token })
    expect(used.status).toBe(200)
    const body = (await used.json()) as { receipt: PaymentReceipt }
    expect(body.receipt).toMatchObject({ method: 'pass', payer: devnet.accounts[5]!.address })
    const outOfScope = await send(server.url, '/api/pass', { 'X-Payment-Pass': pass.token }, 'POST')
    expect([outOfScope.status, ((await outOfScope.json()) as { error: string }).error]).toEqual([
      402,
      'pass_scope_mismatch',
    ])
  })

  test('error: a malformed payment header -> 400 JSON with the code', async () => {
    const server = await serve(tollgate(gateOptions()))
    const response = await send(server.url, '/api/search', { 'PAYMENT-SIGNATURE': 'not base64' })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(((await response.json()) as { error: string }).error).toBe('header_malformed')
    expect(server.calls.search).toBeUndefined()
  })

  test('error: RPC down -> 503 with Retry-After, the handler never runs', async () => {
    const options = gateOptions({
      networks: [
        evmNetwork({
          network: 'eip155:31337',
          rpcUrl: 'http://127.0.0.1:9',
          assets: ['USDC'],
          rpcTimeoutMs: 500,
        }),
      ],
    })
    const server = await serve(tollgate(options))
    const { header } = await pay(server.url, '/api/search', { from: 6 })
    const response = await send(server.url, '/api/search', { 'PAYMENT-SIGNATURE': header })
    expect(response.status).toBe(503)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await response.json()) as { error: string }).error).toBe('rpc_unavailable')
    expect(server.calls.search).toBeUndefined()
  })

  test('error: gate.check throwing goes to the Express error path', async () => {
    const failure = new Error('store unreachable')
    const server = await serve(
      tollgate({
        check: async () => {
          throw failure
        },
      }),
    )
    const response = await send(server.url, '/api/search')
    expect([response.status, await response.json()]).toEqual([500, { error: 'handler_failed' }])
    expect(server.errors).toEqual([failure])
  })

  test('behavior: the per-IP rate limit sees request.ip, or what clientIp returns', async () => {
    const rateLimit = { perIp: { capacity: 1, refillPerSecond: 0.001 } }
    const byDefault = await serve(tollgate(gateOptions({ rateLimit })))
    expect((await send(byDefault.url, '/api/search')).status).toBe(402)
    expect((await send(byDefault.url, '/api/search')).status).toBe(429)

    const byHeader = await serve(
      tollgate(gateOptions({ rateLimit }), { clientIp: (request) => request.get('x-test-client') }),
    )
    expect((await send(byHeader.url, '/api/search', { 'x-test-client': 'a' })).status).toBe(402)
    expect((await send(byHeader.url, '/api/search', { 'x-test-client': 'a' })).status).toBe(429)
    expect((await send(byHeader.url, '/api/search', { 'x-test-client': 'b' })).status).toBe(402)
  })
})

/** Reads the first `chunks` lines of a streamed answer over a raw socket, then hangs up. */
async function readChunksThenHangUp(
  url: string,
  path: string,
  header: string,
  chunks: number,
): Promise<string> {
  const { port } = new URL(url)
  const socket = connect({ host: '127.0.0.1', port: Number(port) })
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nPAYMENT-SIGNATURE: ${header}\r\n\r\n`)
  let text = ''
  for await (const chunk of socket) {
    text += (chunk as Buffer).toString('latin1')
    if (text.includes(`chunk ${chunks - 1}\n`)) break
  }
  socket.destroy()
  return text
}
