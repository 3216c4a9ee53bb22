import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { type GateCompletion, type PaymentReceipt, TollgateError } from '@tollgate/core'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { afterEach, describe, expect, test } from 'vitest'
import { holdUntilSettled } from './hold-until-settled.js'

// These tests drive the buffering with a hand-settled `complete`, over real sockets. They do not
// exercise a payment scheme: the `exact` flow end to end is tested once core has an exact scheme.

const receipt: PaymentReceipt = { method: 'payment', route: 'GET /paid', payer: '0xpayer', scheme: 'exact' }
const closers: (() => void)[] = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

/** A `complete` the test settles by hand, recording every status it was called with. */
function settlement() {
  const calls: number[] = []
  let reportCall: (status: number) => void = () => {}
  let finish: (completion: GateCompletion) => void = () => {}
  const called = new Promise<number>((resolve) => (reportCall = resolve))
  const result = new Promise<GateCompletion>((resolve) => (finish = resolve))
  return {
    calls,
    called,
    settle: (completion: GateCompletion) => finish(completion),
    complete: (status: number) => {
      calls.push(status)
      reportCall(status)
      return result
    },
  }
}

async function serve(handler: RequestHandler, complete: (status: number) => Promise<GateCompletion>) {
  const app = express()
  app.disable('x-powered-by')
  // A header set before the gate, which must survive a failed settlement.
  app.use((_request, response, next) => {
    response.setHeader('access-control-allow-origin', '*')
    next()
  })
  app.get('/paid', (_request, response, next) => {
    holdUntilSettled(response, complete)
    next()
  })
  app.get('/paid', handler)
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    if (response.headersSent) return next(error)
    response.status(500).json({ error: 'handler_failed' })
  }
  app.use(onError)
  app.set('env', 'test') // Express's last-resort handler logs unless env is "test".
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return (server.address() as AddressInfo).port
}

/** A raw HTTP/1.1 client, to see exactly which bytes reached the socket and when. */
function rawGet(port: number) {
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => {})
  socket.write('GET /paid HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
  const ended = new Promise<string>((resolve) =>
    socket.on('close', () => resolve(Buffer.concat(chunks).toString())),
  )
  return { socket, received: () => Buffer.concat(chunks).length, ended }
}

function parse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  const [statusLine, ...lines] = head.split('\r\n')
  const headers = new Map(
    lines.map((line) => line.split(': ') as [string, string]).map(([n, v]) => [n.toLowerCase(), v]),
  )
  return { statusLine, headers, body }
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))

describe('holdUntilSettled', () => {
  test('default: nothing reaches the socket before settlement, then status, headers and body are released', async () => {
    const { calls, called, settle, complete } = settlement()
    const port = await serve((_request, response) => {
      response.setHeader('x-before-head', '1')
      response.writeHead(201, 'Made', { 'x-handler': 'yes' })
      response.setHeader('x-after-head', 'late')
      response.flushHeaders()
      response.write('part one, ')
      response.end(Buffer.from('part two'))
    }, complete)
    const client = rawGet(port)
    expect(await called).toBe(201)
    await pause(50)
    expect(client.received()).toBe(0)
    settle({ ok: true, headers: new Headers({ 'PAYMENT-RESPONSE': 'settled' }), receipt })
    const { statusLine, headers, body } = parse(await client.ended)
    expect(statusLine).toBe('HTTP/1.1 201 Made')
    expect(
      Object.fromEntries([...headers].filter(([name]) => !['date', 'connection'].includes(name))),
    ).toEqual({
      'access-control-allow-origin': '*',
      'x-before-head': '1',
      'x-handler': 'yes',
      'x-after-head': 'late',
      'payment-response': 'settled',
      'content-length': '18',
    })
    expect(body).toBe('part one, part two')
    expect(calls).toEqual([201])
  })

  test("behavior: Express's res.json is released intact", async () => {
    const { settle, complete } = settlement()
    const port = await serve((_request, response) => {
      response.status(200).json({ answer: 42 })
    }, complete)
    const pending = fetch(`http://127.0.0.1:${port}/paid`)
    setTimeout(
      () => settle({ ok: true, headers: new Headers({ 'PAYMENT-RESPONSE': 'settled' }), receipt }),
      20,
    )
    const response = await pending
    expect([response.status, response.headers.get('PAYMENT-RESPONSE'), await response.json()]).toEqual([
      200,
      'settled',
      { answer: 42 },
    ])
  })

  test("behavior: a failed settlement discards the handler's response and sends the gate's", async () => {
    const { settle, complete } = settlement()
    const port = await serve((_request, response) => {
      response.setHeader('x-handler', 'yes')
      response.cookie('session', 'paid')
      response.json({ secret: 'paid content' })
    }, complete)
    const pending = fetch(`http://127.0.0.1:${port}/paid`)
    const error = new TollgateError('settlement_failed', 'The payment could not be settled.')
    const body = JSON.stringify(error.toJSON())
    setTimeout(
      () =>
        settle({
          ok: false,
          error,
          response: new Response(body, {
            status: 402,
            headers: { 'content-type': 'application/json', 'PAYMENT-RESPONSE': 'failed' },
          }),
        }),
      20,
    )
    const response = await pending
    expect(response.status).toBe(402)
    expect(await response.text()).toBe(body)
    expect(response.headers.get('PAYMENT-RESPONSE')).toBe('failed')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('x-handler')).toBeNull()
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  test("behavior: an agent that leaves while the handler runs -> the handler's own status settles, nothing is written", async () => {
    const { calls, called, settle, complete } = settlement()
    let entered = () => {}
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve))
    const port = await serve(async (_request, response) => {
      const gone = new Promise<void>((resolve) => response.once('close', () => resolve()))
      entered()
      // Answers only once the server has seen the agent leave.
      await gone
      response.json({ late: true })
    }, complete)
    const client = rawGet(port)
    await handlerEntered
    client.socket.destroy()
    // The handler answered 200 after the agent left: that status is settled, exactly once.
    expect(await called).toBe(200)
    settle({ ok: true, headers: new Headers(), receipt })
    expect(await client.ended).toBe('')
    expect(calls).toEqual([200])
  })

  test('error: a handler that throws before answering reports 500; its error response is released', async () => {
    const { calls, settle, complete } = settlement()
    const port = await serve(() => {
      throw new Error('handler exploded')
    }, complete)
    const pending = fetch(`http://127.0.0.1:${port}/paid`)
    setTimeout(() => settle({ ok: true, headers: new Headers(), receipt }), 20)
    const response = await pending
    expect([response.status, await response.json()]).toEqual([500, { error: 'handler_failed' }])
    expect(calls).toEqual([500])
  })

  test('error: a handler that throws after it started answering -> connection dropped, nothing delivered', async () => {
    const { calls, called, complete } = settlement()
    const port = await serve((_request, response) => {
      response.write('half of the paid content')
      throw new Error('handler exploded')
    }, complete)
    const client = rawGet(port)
    expect(await called).toBe(500)
    expect(await client.ended).toBe('')
    expect(calls).toEqual([500])
  })
})
