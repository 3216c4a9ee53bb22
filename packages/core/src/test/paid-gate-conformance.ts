import { decodePaymentRequiredHeader } from '../protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../protocol/payment-response-header.js'
import type { PaymentRequirements } from '../protocol/types.js'

/** The scheme a case pays with: a `tx` proof (paid before the request) or an `exact` authorization. */
export type PaidConformanceScheme = 'tx' | 'exact'

/**
 * The gate one case needs, as plain JSON-safe data, so an adapter can build it anywhere: in the
 * test's process, another process, or an edge runtime with only web globals. Build it with the
 * routes below, on the chain `chain` describes, reading it at `rpcUrl`.
 */
export type PaidConformanceGate = {
  /** The scheme the gate offers (only this one). */
  scheme: PaidConformanceScheme
  /** The priced routes, as `createGate`'s `routes`. */
  routes: Record<string, { price: string }>
  /** Where payments go: a fresh address per case, so money is read from the chain per case. */
  payTo: string
  /** The gate's secret. */
  secret: string
  /** Where the gate reads the chain: the node, or a proxy a case holds. */
  rpcUrl: string
  /**
   * The gate's RPC timeout (`evmNetwork`'s `rpcTimeoutMs`): longer than any case, so a chain call
   * a case holds ends only when the gate gives it up for its requester, never by timing out.
   */
  rpcTimeoutMs: number
  /** What {@link PaidConformanceChain.prepare} returned: network, tokens, a settler's key. */
  chain: unknown
}

/** A JSON-RPC proxy in front of the node that can hold calls, to act while the gate verifies. */
export type HoldingRpc = {
  url: string
  /** Holds every call from now on. */
  hold(): void
  /** Resolves once `count` calls are held. */
  waitForHeld(count: number): Promise<void>
  /** Resolves once `count` held calls were given up by their caller (the gate aborted them). */
  waitForAbandoned(count: number): Promise<void>
  /** Lets held calls (and later ones) through. */
  release(): void
  close(): Promise<void>
}

/** The chain the suite pays on, made by the test (a devnet). */
export type PaidConformanceChain = {
  /** The node's JSON-RPC URL. */
  rpcUrl: string
  /** Chain data for a fresh gate of `scheme` (network, token, a funded settler for `exact`) and a fresh payee. */
  prepare(scheme: PaidConformanceScheme): Promise<{ payTo: string; chain: unknown }>
  /** Pays `requirements` as an agent does (a transfer and a proof, or a signed authorization): the `PAYMENT-SIGNATURE` header. */
  pay(requirements: PaymentRequirements): Promise<string>
  /** The amounts moved to `payTo` on chain, read from the chain. */
  paidTo(payTo: string): Promise<bigint[]>
  /** Starts a {@link HoldingRpc} in front of the node. */
  holdingRpc(): Promise<HoldingRpc>
}

/** The handlers an adapter serves behind the gate; each counts its runs under its name. */
export type PaidConformanceHandler = 'report' | 'other' | 'fail' | 'throw'

/** A server under test: the adapter, its gate built from a {@link PaidConformanceGate}, the handlers. */
export type PaidConformanceServer = {
  /** Its base URL, such as `http://127.0.0.1:4021`. */
  url: string
  /** How many times the handler `name` ran. */
  runs(name: PaidConformanceHandler): number
  close(): Promise<void>
}

/** What the suite's `expect` must offer (vitest's fits). */
export type PaidConformanceRunner = {
  describe: (name: string, body: () => void) => void
  test: (name: string, body: () => Promise<void>, timeout?: number) => void
  expect: (value: unknown) => {
    toBe(expected: unknown): void
    toEqual(expected: unknown): void
    toMatchObject(expected: object): void
    toBeNull(): void
  }
}

/** Options of {@link definePaidGateConformance}. */
export type DefinePaidGateConformanceOptions = {
  /** Suite name, such as `"express"`. */
  name: string
  /** The chain to pay on; called in each test (start the devnet before). */
  chain: () => PaidConformanceChain
  /**
   * Starts the adapter with a gate built from `gate` (see {@link PaidConformanceGate}) in front of
   * these handlers, each counting its runs:
   * - `GET /api/report` (`report`): `200` JSON `{ "report": "paid", "run": <its run count> }`;
   * - `GET /api/other` (`other`): `200` JSON `{ "other": true }`;
   * - `GET /api/fail` (`fail`): `500` JSON `{ "error": "database_down" }` on its first run, then `200` JSON;
   * - `GET /api/throw` (`throw`): throws on its first run (the framework's own error answer), then `200` JSON.
   */
  start: (gate: PaidConformanceGate) => Promise<PaidConformanceServer>
}

/** The routes every case's gate prices. */
const ROUTES = {
  'GET /api/report': { price: '$0.01' },
  'GET /api/other': { price: '$0.01' },
  'GET /api/fail': { price: '$0.01' },
  'GET /api/throw': { price: '$0.01' },
}
const SECRET = 'paid-conformance-secret-0123456789abcdef'
const RPC_TIMEOUT_MS = 600_000

type Case = {
  scheme: PaidConformanceScheme
  chain: PaidConformanceChain
  server: PaidConformanceServer
  payTo: string
  rpc?: HoldingRpc
}

/**
 * Defines what every HTTP adapter must guarantee once money is involved, as tests in your runner,
 * on a real chain: a paid answer carries `PAYMENT-RESPONSE`; a payment is served once (a retry of
 * the same payment for the same request gets the kept answer with `Payment-Replay: true` without
 * running the handler; for another route it is `payment_already_used`); an `exact` authorization
 * is settled once and its answer held until it was (read from the chain); a handler that answers
 * 500 or throws is not charged; a requester gone before the handler is not charged and the handler
 * does not run. Requests go out with `fetch`.
 *
 * @example
 * import { describe, expect, test } from 'vitest'
 * definePaidGateConformance({ describe, test, expect }, { name: 'express', chain: () => devnetChain(devnet), start })
 */
export function definePaidGateConformance(
  runner: PaidConformanceRunner,
  options: DefinePaidGateConformanceOptions,
): void {
  const { describe, test } = runner
  const run =
    (scheme: PaidConformanceScheme, body: (c: Case) => Promise<void>, holding = false) =>
    async () => {
      const chain = options.chain()
      const rpc = holding ? await chain.holdingRpc() : undefined
      const { payTo, chain: data } = await chain.prepare(scheme)
      const rpcUrl = rpc?.url ?? chain.rpcUrl
      const server = await options.start({
        scheme,
        routes: ROUTES,
        payTo,
        secret: SECRET,
        rpcUrl,
        rpcTimeoutMs: RPC_TIMEOUT_MS,
        chain: data,
      })
      try {
        await body({ scheme, chain, server, payTo, ...(rpc === undefined ? {} : { rpc }) })
      } finally {
        await server.close()
        await rpc?.close()
      }
    }
  describe(`Paid gate conformance: ${options.name}`, () => {
    test(
      'tx: paid -> 200 with PAYMENT-RESPONSE; the same proof again -> the kept answer, replayed; for another request -> payment_already_used, on another route -> challenge_mismatch',
      run('tx', (c) => servedOnce(runner, c)),
    )
    test(
      'exact: settled once (read from the chain), the answer held until then; the retry -> the kept answer; for another request or route -> payment_already_used',
      run('exact', (c) => servedOnce(runner, c)),
    )
    test(
      'tx: a handler answering 500 is not charged; the same proof is accepted on retry, then spent',
      run('tx', (c) => failedThenRetried(runner, c, '/api/fail', 'fail')),
    )
    test(
      'tx: a handler that throws is not charged; the same proof is accepted on retry, then spent',
      run('tx', (c) => failedThenRetried(runner, c, '/api/throw', 'throw')),
    )
    test(
      'exact: a handler answering 500 -> nothing settled on chain; the retry is served and settled once',
      run('exact', (c) => failedThenRetried(runner, c, '/api/fail', 'fail')),
    )
    test(
      'tx: a requester gone before the handler -> the handler does not run, nothing is spent; the same proof pays later',
      run('tx', (c) => goneBeforeHandler(runner, c), true),
    )
  })
}

async function requirementsOf(c: Case, path: string): Promise<PaymentRequirements> {
  const response = await fetch(`${c.server.url}${path}`)
  await response.arrayBuffer()
  const header = response.headers.get('payment-required')
  if (response.status !== 402 || header === null)
    throw new Error(`${path} answered ${response.status}, not 402`)
  const [requirements] = decodePaymentRequiredHeader(header).accepts
  if (requirements === undefined) throw new Error(`${path} offered nothing`)
  return requirements
}

type Answer = {
  status: number
  headers: Headers
  body: Record<string, unknown>
  settlement: Record<string, unknown> | null
}

async function send(c: Case, path: string, header: string, signal?: AbortSignal): Promise<Answer> {
  const response = await fetch(`${c.server.url}${path}`, {
    headers: { 'PAYMENT-SIGNATURE': header },
    ...(signal === undefined ? {} : { signal }),
  })
  const text = await response.text()
  let body: Record<string, unknown> = {}
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    body = { text }
  }
  const settled = response.headers.get('payment-response')
  const settlement =
    settled === null ? null : (decodePaymentResponseHeader(settled) as unknown as Record<string, unknown>)
  return { status: response.status, headers: response.headers, body, settlement }
}

async function servedOnce(runner: PaidConformanceRunner, c: Case): Promise<void> {
  const { expect } = runner
  const requirements = await requirementsOf(c, '/api/report')
  const header = await c.chain.pay(requirements)
  const first = await send(c, '/api/report', header)
  expect([first.status, first.body]).toEqual([200, { report: 'paid', run: 1 }])
  expect(first.headers.get('payment-replay')).toBeNull()
  expect(first.settlement).toMatchObject({ success: true, network: requirements.network })
  // Money moved once, before the answer went out (an `exact` answer is held until settled).
  expect(await c.chain.paidTo(c.payTo)).toEqual([BigInt(requirements.amount)])
  const again = await send(c, '/api/report', header)
  expect([again.status, again.headers.get('payment-replay'), again.body]).toEqual([
    200,
    'true',
    { report: 'paid', run: 1 },
  ])
  expect(again.settlement).toMatchObject({
    success: true,
    transaction: first.settlement?.transaction,
    extensions: { replay: true },
  })
  const page = await send(c, '/api/report?page=2', header)
  expect([page.status, page.headers.get('payment-replay'), page.body.error]).toEqual([
    402,
    null,
    'payment_already_used',
  ])
  // A `tx` challenge names its route: on another route the proof does not even match.
  const other = await send(c, '/api/other', header)
  const refusal = c.scheme === 'tx' ? 'challenge_mismatch' : 'payment_already_used'
  expect([other.status, other.headers.get('payment-replay'), other.body.error]).toEqual([402, null, refusal])
  expect([c.server.runs('report'), c.server.runs('other')]).toEqual([1, 0])
  expect(await c.chain.paidTo(c.payTo)).toEqual([BigInt(requirements.amount)])
}

async function failedThenRetried(
  runner: PaidConformanceRunner,
  c: Case,
  path: string,
  name: PaidConformanceHandler,
): Promise<void> {
  const { expect } = runner
  const requirements = await requirementsOf(c, path)
  const header = await c.chain.pay(requirements)
  const before = await c.chain.paidTo(c.payTo)
  const failed = await send(c, path, header)
  expect(failed.status >= 500).toBe(true)
  expect(failed.settlement?.success === true).toBe(false)
  // An `exact` payment moved nothing; a `tx` one moved before the request and stays the same.
  expect(await c.chain.paidTo(c.payTo)).toEqual(before)
  const retried = await send(c, path, header)
  expect([retried.status, retried.settlement?.success]).toEqual([200, true])
  const spent = await send(c, `${path}?again=1`, header)
  expect([spent.status, spent.body.error]).toEqual([402, 'payment_already_used'])
  expect(c.server.runs(name)).toBe(2)
  expect(await c.chain.paidTo(c.payTo)).toEqual([BigInt(requirements.amount)])
}

async function goneBeforeHandler(runner: PaidConformanceRunner, c: Case): Promise<void> {
  const { expect } = runner
  const rpc = c.rpc as HoldingRpc
  const requirements = await requirementsOf(c, '/api/report')
  const header = await c.chain.pay(requirements)
  rpc.hold()
  const abort = new AbortController()
  const pending = send(c, '/api/report', header, abort.signal).then(
    () => 'answered',
    () => 'aborted',
  )
  await rpc.waitForHeld(1)
  abort.abort()
  expect(await pending).toBe('aborted')
  // The gate saw the requester leave: it gave up the chain call it was making for this request.
  await rpc.waitForAbandoned(1)
  rpc.release()
  expect(c.server.runs('report')).toBe(0)
  // The gate frees the claim right after giving up: a retry arriving first is told `409` (in
  // flight), as an agent would be, and tries again.
  let retried = await send(c, '/api/report', header)
  for (let tries = 0; tries < 50 && retried.status === 409; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    retried = await send(c, '/api/report', header)
  }
  expect([retried.status, retried.body]).toEqual([200, { report: 'paid', run: 1 }])
  expect(c.server.runs('report')).toBe(1)
}
