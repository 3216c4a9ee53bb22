import { decodePaymentResponseHeader } from '@tollgate/core'
import { exactHeader } from '../exact-header.js'
import { offerOf } from '../offer-of.js'
import { openRaw } from '../open-raw.js'
import { passOf } from '../pass-of.js'
import type { RawResponse } from '../raw-http.js'
import type { AttackCase, CaseContext } from '../run-case.js'
import { serializeRequest } from '../serialize-request.js'
import { exactSignature } from './exact-signature.js'
import { PRICE, paidRequest, type Route, SEARCH } from './paid-request.js'
import { payRoute } from './pay-route.js'
import { roundTrip } from './round-trip.js'
import { settledAnswer } from './settled-answer.js'

// ARCHITECTURE.md G5: the outcome is the status the handler wrote, not the socket's fate. A
// claim is released only when the handler failed before any byte was sent (and then no successful
// PAYMENT-RESPONSE and no pass go out); once headers are out the payment is consumed; a requester
// gone before the handler starts is not charged and the handler does not run.

const SLOW: Route = { method: 'GET', path: '/api/slow' }
const STREAM: Route = { method: 'GET', path: '/api/stream' }
const FAIL: Route = { method: 'GET', path: '/api/fail' }
const THROW: Route = { method: 'GET', path: '/api/throw' }
const PASS_FAIL: Route = { method: 'POST', path: '/api/pass-fail' }

/** A failure message when a response carries a successful PAYMENT-RESPONSE or a pass. */
function noSuccessHeader(response: RawResponse): string | undefined {
  const header = response.headers['payment-response']
  if (header === undefined) return undefined
  const settled = decodePaymentResponseHeader(header)
  if (passOf(response.headers) !== undefined) return 'a failed response carries a pass'
  return settled.success ? 'a failed response carries a successful PAYMENT-RESPONSE' : undefined
}

/** Opens a raw request tagged with the case id. */
function open(context: CaseContext, request: Parameters<CaseContext['send']>[1], headOnly = false) {
  const port = context.a.port
  return openRaw(
    port,
    serializeRequest(port, { ...request, headers: { ...context.tag, ...request.headers } }),
    {
      headOnly,
    },
  )
}

/** Pays `route`, and hangs up once `stage` resolves; then releases the handler and waits for its end. */
async function hangUpWhile(
  context: CaseContext,
  route: Route,
  stage: (connection: ReturnType<typeof openRaw>) => Promise<unknown>,
) {
  const paid = await payRoute(context, context.a, route)
  const connection = open(context, paidRequest(route, paid.header))
  await stage(connection)
  connection.hangUp()
  await roundTrip(context, context.a)
  context.world.release(context.caseId)
  await context.world.waitForHandler(context.caseId, 'end')
  return settledAnswer(context, context.a, paidRequest(route, paid.header))
}

export const lifecycleCases: AttackCase[] = [
  {
    name: 'lifecycle: hang-up before the body was sent, then the proof is sent again',
    family: 'lifecycle',
    expect: { status: 201, code: null, handlerRuns: 1, moved: PRICE.post },
    run: async (context) => {
      const route: Route = { method: 'POST', path: '/api/post' }
      const paid = await payRoute(context, context.a, route)
      const connection = open(context, paidRequest(route, paid.header), true)
      await roundTrip(context, context.a)
      connection.hangUp()
      await roundTrip(context, context.a)
      return settledAnswer(context, context.a, paidRequest(route, paid.header))
    },
  },
  {
    name: 'lifecycle: hang-up while the RPC verifies, then the proof is retried',
    family: 'lifecycle',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const rule = context.world.proxy.add(
        (call) => call.method === 'eth_getTransactionReceipt' && call.params?.[0] === paid.hash,
        { kind: 'hold' },
      )
      const connection = open(context, paidRequest(SEARCH, paid.header))
      await rule.waitForHits(1)
      connection.hangUp()
      await roundTrip(context, context.a)
      rule.remove()
      return settledAnswer(context, context.a, paidRequest(SEARCH, paid.header))
    },
  },
  {
    name: 'lifecycle: hang-up while a slow handler runs, then the proof is replayed',
    family: 'lifecycle',
    expect: { status: 402, code: 'payment_already_used', handlerRuns: 1, moved: PRICE.search },
    run: (context) => hangUpWhile(context, SLOW, () => context.world.waitForHandler(context.caseId, 'start')),
  },
  {
    name: 'lifecycle: hang-up after 9 of 10 streamed chunks, then the proof is replayed',
    family: 'lifecycle',
    expect: { status: 402, code: 'payment_already_used', handlerRuns: 1, moved: PRICE.search },
    run: (context) =>
      hangUpWhile(context, STREAM, (connection) => connection.waitFor((text) => text.includes('chunk 9'))),
  },
  {
    name: 'lifecycle: hang-up once the response headers arrived, then the proof is replayed',
    family: 'lifecycle',
    expect: { status: 402, code: 'payment_already_used', handlerRuns: 1, moved: PRICE.search },
    run: (context) =>
      hangUpWhile(context, SEARCH, (connection) => connection.waitFor((text) => text.includes('\r\n\r\n'))),
  },
  {
    name: 'lifecycle: a second copy while the first is in a slow handler',
    family: 'lifecycle',
    expect: { status: 409, code: 'payment_in_progress', handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a, SLOW)
      const first = open(context, paidRequest(SLOW, paid.header))
      await context.world.waitForHandler(context.caseId, 'start')
      const second = await context.send(context.b, paidRequest(SLOW, paid.header))
      context.world.release(context.caseId)
      const answered = await first.response()
      if (answered.status !== 200) throw new Error(`the first copy was not served: ${answered.status}`)
      return second
    },
    check: (response) =>
      response.headers['retry-after'] === undefined ? 'no Retry-After on 409' : undefined,
  },
  {
    name: 'lifecycle: a second copy while the first is being verified',
    family: 'lifecycle',
    expect: { status: 409, code: 'payment_in_progress', handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const rule = context.world.proxy.add(
        (call) => call.method === 'eth_getTransactionReceipt' && call.params?.[0] === paid.hash,
        { kind: 'hold' },
      )
      const first = open(context, paidRequest(SEARCH, paid.header))
      await rule.waitForHits(1)
      const second = await context.send(context.b, paidRequest(SEARCH, paid.header))
      rule.remove()
      const answered = await first.response()
      if (answered.status !== 200) throw new Error(`the first copy was not served: ${answered.status}`)
      return second
    },
    check: (response) =>
      response.headers['retry-after'] === undefined ? 'no Retry-After on 409' : undefined,
  },
  {
    name: 'lifecycle: a handler that answers 500 sends no successful PAYMENT-RESPONSE',
    family: 'lifecycle',
    expect: { status: 500, code: 'handler_failed', handlerRuns: 1, moved: PRICE.search },
    run: async (context) =>
      context.send(context.a, paidRequest(FAIL, (await payRoute(context, context.a, FAIL)).header)),
    check: noSuccessHeader,
  },
  {
    name: 'lifecycle: a handler that answered 500 frees the proof for a retry',
    family: 'lifecycle',
    expect: { status: 500, code: 'handler_failed', handlerRuns: 2, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a, FAIL)
      await context.send(context.a, paidRequest(FAIL, paid.header))
      return settledAnswer(context, context.b, paidRequest(FAIL, paid.header))
    },
  },
  {
    name: 'lifecycle: a handler that throws sends no successful PAYMENT-RESPONSE and frees the proof',
    family: 'lifecycle',
    expect: { status: 500, code: 'internal_error', handlerRuns: 2, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a, THROW)
      const first = await context.send(context.a, paidRequest(THROW, paid.header))
      const failure = noSuccessHeader(first)
      if (failure !== undefined) throw new Error(failure)
      return settledAnswer(context, context.a, paidRequest(THROW, paid.header))
    },
  },
  {
    name: 'lifecycle: a pass-selling handler that answers 500 leaks no pass',
    family: 'lifecycle',
    expect: { status: 500, code: 'handler_failed', handlerRuns: 1, moved: PRICE.pass },
    run: async (context) =>
      context.send(context.a, paidRequest(PASS_FAIL, (await payRoute(context, context.a, PASS_FAIL)).header)),
    check: noSuccessHeader,
  },
  {
    name: 'lifecycle: a pass-selling handler that answered 500 frees the proof',
    family: 'lifecycle',
    expect: { status: 500, code: 'handler_failed', handlerRuns: 2, moved: PRICE.pass },
    run: async (context) => {
      const paid = await payRoute(context, context.a, PASS_FAIL)
      await context.send(context.a, paidRequest(PASS_FAIL, paid.header))
      return settledAnswer(context, context.b, paidRequest(PASS_FAIL, paid.header))
    },
    check: noSuccessHeader,
  },
  {
    name: 'lifecycle: exact on a handler that answers 500 is never settled',
    family: 'lifecycle',
    expect: { status: 500, code: 'handler_failed', handlerRuns: 1, moved: 0n },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, FAIL.method, FAIL.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      return context.send(context.a, paidRequest(FAIL, header))
    },
    check: noSuccessHeader,
  },
  {
    name: 'lifecycle: exact on a pass-selling handler that answers 500 is never settled and leaks no pass',
    family: 'lifecycle',
    expect: { status: 500, code: 'handler_failed', handlerRuns: 1, moved: 0n },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, PASS_FAIL.method, PASS_FAIL.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      return context.send(context.a, paidRequest(PASS_FAIL, header))
    },
    check: noSuccessHeader,
  },
  {
    name: 'lifecycle: control, exact is settled once the handler succeeded',
    family: 'lifecycle',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.b, SEARCH.method, SEARCH.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      return context.send(context.b, paidRequest(SEARCH, header))
    },
    check: (response) => {
      const header = response.headers['payment-response']
      return header !== undefined && decodePaymentResponseHeader(header).success
        ? undefined
        : 'no successful PAYMENT-RESPONSE'
    },
  },
  {
    name: 'lifecycle: exact, hang-up while the RPC verifies, then the authorization is retried',
    family: 'lifecycle',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      const address = payer.address.slice(2).toLowerCase()
      const rule = context.world.proxy.add((call) => JSON.stringify(call).toLowerCase().includes(address), {
        kind: 'hold',
      })
      const connection = open(context, paidRequest(SEARCH, header))
      await rule.waitForHits(1)
      connection.hangUp()
      await roundTrip(context, context.a)
      rule.remove()
      return settledAnswer(context, context.a, paidRequest(SEARCH, header))
    },
  },
  {
    name: 'lifecycle: exact, hang-up while a slow handler runs: settled once, the replay refused',
    family: 'lifecycle',
    expect: {
      status: 402,
      code: ['payment_already_used', 'invalid_exact_evm_nonce_already_used'],
      handlerRuns: 1,
      moved: PRICE.search,
    },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SLOW.method, SLOW.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      const connection = open(context, paidRequest(SLOW, header))
      await context.world.waitForHandler(context.caseId, 'start')
      connection.hangUp()
      await roundTrip(context, context.a)
      context.world.release(context.caseId)
      await context.world.waitForHandler(context.caseId, 'end')
      return settledAnswer(context, context.b, paidRequest(SLOW, header))
    },
  },
  {
    name: 'lifecycle: exact, hang up in the slow handler three times with one authorization',
    family: 'lifecycle',
    expect: {
      status: 402,
      code: ['payment_already_used', 'invalid_exact_evm_nonce_already_used'],
      handlerRuns: 1,
      moved: PRICE.search,
    },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SLOW.method, SLOW.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      const { world, caseId } = context
      for (const attempt of ['1', '2', '3']) {
        const runs = world.handlerRuns(caseId)
        const connection = open(context, paidRequest(SLOW, header, { 'x-attack-attempt': attempt }))
        // Hang up once the handler started, or once a refusal came back.
        await Promise.race([world.waitForHandler(caseId, 'start', runs + 1), connection.response()])
        connection.hangUp()
        await roundTrip(context, context.a)
        world.release(caseId, attempt)
        if (world.handlerRuns(caseId) > runs) await world.waitForHandler(caseId, 'end', runs + 1)
      }
      world.release(caseId, 'last')
      return settledAnswer(context, context.b, paidRequest(SLOW, header, { 'x-attack-attempt': 'last' }))
    },
  },
]
