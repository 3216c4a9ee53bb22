import { exactHeader } from '../exact-header.js'
import { offerOf } from '../offer-of.js'
import type { AttackCase, CaseContext, Expectation } from '../run-case.js'
import type { RpcCall, RpcFault } from '../start-rpc-proxy.js'
import { until } from '../until.js'
import { exactSignature } from './exact-signature.js'
import { PRICE, paidRequest, SEARCH } from './paid-request.js'
import { payRoute } from './pay-route.js'
import { roundTrip } from './round-trip.js'
import { settledAnswer } from './settled-answer.js'
import { spentAnswer } from './spent-answer.js'

// ARCHITECTURE.md G1: every check fails closed. An RPC that is down, slow or lying, or a
// store that is gone, is a 503 with Retry-After or a refusal, never a served request; and a
// refusal for a transient fault does not spend the proof.

const unavailable = (code: string, moved = PRICE.search): Expectation => ({
  status: 503,
  code,
  handlerRuns: 0,
  moved,
})
const hasRetryAfter = (response: { headers: Record<string, string> }) =>
  response.headers['retry-after'] === undefined ? 'no Retry-After on 503' : undefined

type Rewrite = (result: Record<string, unknown>) => unknown

/** Pays the search, then sends the proof while the RPC applies `fault` to calls about the payment. */
async function underRpcFault(
  context: CaseContext,
  method: string | 'batch',
  fault: RpcFault,
  then: 'answer' | 'retry-healed' = 'answer',
) {
  const paid = await payRoute(context, context.a)
  const aboutPayment = (call: RpcCall, batch: readonly RpcCall[]) =>
    (method === 'batch' || call.method === method) && batch.some((entry) => entry.params?.[0] === paid.hash)
  const rule = context.world.proxy.add(aboutPayment, fault)
  const first = await context.send(context.a, paidRequest(SEARCH, paid.header))
  rule.remove()
  if (then === 'answer') return first
  if (first.status !== 503) throw new Error(`expected a 503 under the fault, got ${first.status}`)
  return settledAnswer(context, context.b, paidRequest(SEARCH, paid.header))
}

const rewrite = (change: Rewrite): RpcFault => ({
  kind: 'rewrite',
  result: (result) => (result === null ? null : change({ ...(result as Record<string, unknown>) })),
})

/** Waits until a fresh request to instance A no longer fails for the store (Redis reconnected). */
async function storeBack(context: CaseContext): Promise<void> {
  const paid = await payRoute(context, context.a)
  const answer = await settledStoreAnswer(context, paid.header)
  if (answer.status !== 200) throw new Error(`the store did not come back: ${answer.status} ${answer.body}`)
}

async function settledStoreAnswer(context: CaseContext, header: { name: string; value: string }) {
  let response = await context.send(context.a, paidRequest(SEARCH, header))
  for (let attempt = 0; attempt < 200 && response.status === 503; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    response = await context.send(context.a, paidRequest(SEARCH, header))
  }
  return response
}

export const faultCases: AttackCase[] = [
  {
    name: 'faults: RPC drops the look-ups of the payment',
    family: 'faults',
    expect: unavailable('rpc_unavailable'),
    run: (context) => underRpcFault(context, 'batch', { kind: 'drop' }),
    check: hasRetryAfter,
  },
  {
    name: 'faults: RPC dropped the look-ups, the proof is served once it is back',
    family: 'faults',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: (context) => underRpcFault(context, 'batch', { kind: 'drop' }, 'retry-healed'),
  },
  {
    name: 'faults: RPC answers HTML',
    family: 'faults',
    expect: unavailable('rpc_unavailable'),
    run: (context) => underRpcFault(context, 'batch', { kind: 'garbage' }),
    check: hasRetryAfter,
  },
  {
    name: 'faults: RPC answers the receipt with a JSON-RPC error',
    family: 'faults',
    expect: unavailable('rpc_unavailable'),
    run: (context) =>
      underRpcFault(context, 'eth_getTransactionReceipt', { kind: 'error', message: 'header not found' }),
    check: hasRetryAfter,
  },
  {
    name: 'faults: RPC answered a JSON-RPC error, the proof is served once it is back',
    family: 'faults',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: (context) =>
      underRpcFault(context, 'eth_getTransactionReceipt', { kind: 'error', message: 'busy' }, 'retry-healed'),
  },
  {
    name: 'faults: RPC lies that the transfer reverted',
    family: 'faults',
    expect: { status: 402, code: 'verify_tx_failed', handlerRuns: 0, moved: PRICE.search },
    run: (context) =>
      underRpcFault(
        context,
        'eth_getTransactionReceipt',
        rewrite((receipt) => ({ ...receipt, status: '0x0' })),
      ),
  },
  {
    name: 'faults: RPC lies that the transaction does not exist',
    family: 'faults',
    expect: { status: 402, code: 'verify_tx_not_found', handlerRuns: 0, moved: PRICE.search },
    run: (context) =>
      underRpcFault(context, 'eth_getTransactionReceipt', { kind: 'rewrite', result: () => null }),
  },
  {
    name: 'faults: RPC answers about another transaction',
    family: 'faults',
    expect: unavailable('rpc_unavailable'),
    run: (context) =>
      underRpcFault(
        context,
        'eth_getTransactionByHash',
        rewrite((transaction) => ({ ...transaction, hash: `0x${'12'.repeat(32)}` })),
      ),
  },
  {
    name: 'faults: RPC strips the logs from the receipt',
    family: 'faults',
    expect: { status: 402, code: 'verify_recipient_mismatch', handlerRuns: 0, moved: PRICE.search },
    run: (context) =>
      underRpcFault(
        context,
        'eth_getTransactionReceipt',
        rewrite((receipt) => ({ ...receipt, logs: [] })),
      ),
  },
  {
    name: 'faults: RPC answers a receipt of the wrong shape',
    family: 'faults',
    expect: unavailable('rpc_unavailable'),
    run: (context) =>
      underRpcFault(
        context,
        'eth_getTransactionReceipt',
        rewrite((receipt) => ({ ...receipt, logs: 'many' })),
      ),
  },
  {
    name: 'faults: RPC lies that the head is behind the transfer',
    family: 'faults',
    expect: { status: [402, 409], code: 'verify_unconfirmed', handlerRuns: 0, moved: PRICE.search },
    run: (context) => underRpcFault(context, 'eth_blockNumber', { kind: 'rewrite', result: () => '0x1' }),
  },
  {
    name: 'faults: RPC held, then answers: the payment is served once',
    family: 'faults',
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const rule = context.world.proxy.add((call) => call.params?.[0] === paid.hash, { kind: 'hold' })
      const answer = context.send(context.a, paidRequest(SEARCH, paid.header))
      await rule.waitForHits(1)
      rule.remove()
      return answer
    },
  },
  {
    name: 'faults: RPC down for every call, exact is refused with nothing settled',
    family: 'faults',
    serial: true,
    expect: { status: 503, code: 'rpc_unavailable', handlerRuns: 0, moved: 0n },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      const rule = context.world.proxy.add(() => true, { kind: 'drop' })
      try {
        return await context.send(context.a, paidRequest(SEARCH, header))
      } finally {
        rule.remove()
      }
    },
    check: hasRetryAfter,
  },
  {
    name: 'faults: RPC down for every call, an unpaid request still gets its 402',
    family: 'faults',
    serial: true,
    expect: { status: 402, code: 'payment_required', handlerRuns: 0 },
    run: async (context) => {
      const rule = context.world.proxy.add(() => true, { kind: 'drop' })
      try {
        return await context.send(context.b, paidRequest(SEARCH))
      } finally {
        rule.remove()
      }
    },
  },
  {
    name: 'faults: Redis frozen, a valid proof is refused with 503',
    family: 'faults',
    serial: true,
    expect: unavailable('store_unavailable'),
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      context.world.redis.pause()
      try {
        return await context.send(context.a, paidRequest(SEARCH, paid.header))
      } finally {
        context.world.redis.resume()
      }
    },
    check: hasRetryAfter,
  },
  {
    name: 'faults: Redis frozen, exact is refused with 503 and nothing settled',
    family: 'faults',
    serial: true,
    expect: { status: 503, code: 'store_unavailable', handlerRuns: 0, moved: 0n },
    run: async (context) => {
      const payer = await context.payer()
      const offer = await offerOf(context.b, SEARCH.method, SEARCH.path)
      const header = exactSignature(await exactHeader(context.world, payer, offer.exact))
      context.world.redis.pause()
      try {
        return await context.send(context.b, paidRequest(SEARCH, header))
      } finally {
        context.world.redis.resume()
      }
    },
  },
  {
    name: 'faults: Redis was frozen, the refused proof is served once it is back',
    family: 'faults',
    serial: true,
    expect: { status: 200, code: null, handlerRuns: 1, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      context.world.redis.pause()
      const refused = await context.send(context.a, paidRequest(SEARCH, paid.header))
      context.world.redis.resume()
      if (refused.status !== 503) throw new Error(`expected 503 while frozen, got ${refused.status}`)
      return settledStoreAnswer(context, paid.header)
    },
  },
  {
    name: 'faults: Redis killed and restarted, a proof spent before is still refused',
    family: 'faults',
    serial: true,
    expect: { status: 402, code: 'payment_already_used', handlerRuns: 2, moved: 2n * PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      const first = await context.send(context.a, paidRequest(SEARCH, paid.header))
      if (first.status !== 200) throw new Error(`the payment was not served: ${first.status}`)
      await spentAnswer(context, context.b, paidRequest(SEARCH, paid.header))
      await context.world.killRedis()
      const down = await context.send(context.b, paidRequest(SEARCH, paid.header))
      if (down.status !== 503) throw new Error(`expected 503 with Redis down, got ${down.status}`)
      await context.world.restartRedis()
      await storeBack(context)
      return settledStoreAnswer(context, paid.header)
    },
  },
  {
    name: 'forgery: challenge answered after it expired (gate clocks an hour ahead)',
    family: 'forgery',
    serial: true,
    expect: { status: 402, code: 'challenge_expired', handlerRuns: 0, moved: PRICE.search },
    run: async (context) => {
      const paid = await payRoute(context, context.a)
      await context.world.setClock(3_600_000)
      try {
        return await context.send(context.a, paidRequest(SEARCH, paid.header))
      } finally {
        await context.world.setClock(0)
      }
    },
  },
  {
    name: 'proof: window, a transfer older than the acceptance window (gate clocks two hours ahead)',
    family: 'proof content',
    serial: true,
    expect: { status: 402, code: 'verify_outside_window', handlerRuns: 0, moved: PRICE.search },
    run: async (context) => {
      await context.world.setClock(2 * 3_600_000)
      try {
        const paid = await payRoute(context, context.b)
        return await context.send(context.b, paidRequest(SEARCH, paid.header))
      } finally {
        await context.world.setClock(0)
      }
    },
  },
  {
    name: 'faults: an async hook that rejects [hook rejects] is reported, changes no answer, kills no process',
    family: 'faults',
    serial: true,
    expect: { status: 200, code: null, handlerRuns: 2, moved: 2n * PRICE.search },
    run: async (context) => {
      const warned = context.world.warnings.length
      try {
        const first = await payRoute(context, context.a)
        const served = await context.send(context.a, paidRequest(SEARCH, first.header))
        if (served.status !== 200) throw new Error(`the payment was not served: ${served.status}`)
        // The next paid request, to the same process, once the hook's rejection had its turn.
        await roundTrip(context, context.a)
        const second = await payRoute(context, context.a)
        const answer = await context.send(context.a, paidRequest(SEARCH, second.header))
        // The report comes over IPC, not with the HTTP answer: wait for it.
        await until(() => context.world.warnings.length > warned, 5_000).catch(() => {
          throw new Error("the hook's error was not reported")
        })
        return answer
      } finally {
        if (!context.a.alive()) await context.world.restart(0)
      }
    },
  },
  {
    name: 'faults: five exact authorizations at once from a payer who can afford one',
    family: 'faults',
    // Alone: it counts the settler's transactions.
    serial: true,
    expect: {
      status: 402,
      code: ['insufficient_funds', 'invalid_exact_evm_transaction_simulation_failed', 'settlement_failed'],
      handlerRuns: 1,
      moved: PRICE.search,
    },
    run: async (context) => {
      const payer = await context.payer(PRICE.search)
      const offer = await offerOf(context.a, SEARCH.method, SEARCH.path)
      const settler = context.world.devnet.accounts[7]!.address
      const client = context.world.devnet.publicClient
      const before = await client.getTransactionCount({ address: settler })
      const headers = await Promise.all(
        Array.from({ length: 5 }, () => exactHeader(context.world, payer, offer.exact)),
      )
      const answers = await Promise.all(
        headers.map((header) => context.send(context.a, paidRequest(SEARCH, exactSignature(header)))),
      )
      const sent = (await client.getTransactionCount({ address: settler })) - before
      if (sent !== 1) throw new Error(`the settler broadcast ${sent} transactions for one affordable payment`)
      const served = answers.filter((answer) => answer.status === 200)
      if (served.length !== 1) throw new Error(`${served.length} of 5 were served`)
      return answers.find((answer) => answer.status !== 200)!
    },
  },
]
