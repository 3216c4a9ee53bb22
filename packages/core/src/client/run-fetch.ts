import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import { mppHeaderNames } from '../mpp/types.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import { headerNames } from '../protocol/headers.js'
import type { PaymentRequired, PaymentRequirementsV1 } from '../protocol/types.js'
import { acceptPayment } from './accept-payment.js'
import { authorizationUsed } from './authorization-used.js'
import { type Candidate, DEFAULT_PROTOCOLS } from './choose-requirements.js'
import type { ClientRuntime } from './client-runtime.js'
import type { ClientFetchOptions } from './client-types.js'
import { MPP_SCHEME } from './mpp-offer.js'
import { payExact } from './pay-exact.js'
import { payMpp } from './pay-mpp.js'
import { payTx } from './pay-tx.js'
import { openPaymentSession, type PaymentSession } from './payment-session.js'
import { pickCandidates } from './pick-candidates.js'
import { type Offers, readOffers } from './read-offers.js'
import { readSessionSettlement } from './read-session-settlement.js'
import { readTokenDomains } from './read-token-domains.js'
import { reconcileAuthorizations } from './reconcile-authorizations.js'
import { ALREADY_USED, refusePayment } from './refuse-payment.js'
import { findOfferAgain, REPROVABLE, reproveTx } from './reprove-refused.js'
import { requestDigest } from './request-digest.js'
import { retryDelay } from './retry-delay.js'
import { scheduleReconcile } from './schedule-reconcile.js'
import { sleep } from './sleep.js'

// One request's progress through the loop: send, then classify the answer into the next step.
type FetchState = {
  readonly method: string
  readonly headers: Headers
  readonly body: ArrayBuffer | undefined
  readonly signal: AbortSignal | undefined
  readonly redirect: RequestRedirect
  readonly options: ClientFetchOptions
  url: string
  session: PaymentSession | undefined
  pass: IssuedPass | undefined
  refusedPass: boolean
  /** Schemes whose payment the server refused in this request: a fallback never repeats them. */
  refusedSchemes: Set<string>
  retries: number
  proofs: number
  /** Times the current payment was sent: more than once, an earlier send may have been accepted. */
  sent: number
  /** This request, as the holder of its payments in the ledger. */
  readonly holder: string
  /** Payment ids this request holds in the ledger, let go of when it ends. */
  readonly held: Set<string>
  /** The request's digest: its payments are reused by a retry of the same request only. */
  readonly request: string
  /** The latest 402's `extensions`, echoed with the payment. */
  declared: Record<string, unknown> | undefined
  /** Offers of the latest 402 that could not be read, named when nothing is payable. */
  unread: Offers['skipped']
}

// What the client tells servers it pays in MPP (the draft's `Accept-Payment`).
const ACCEPT_PAYMENT = 'evm/charge'

type Attempt = { kind: 'answered'; response: Response } | { kind: 'lost'; error: unknown }
type Next = { done: true; response: Response } | { done: false }
const CONTINUE: Next = { done: false }

/**
 * The client's 402 loop as a state machine: send (with a pass or a proof), then classify the
 * answer: served (commit, return), busy or unsettled (wait, resend the same proof), 402 unpaid
 * (quote, pay), 402 after paying (reprove, fall back to another option, or refuse), lost (resend
 * the same proof). Every loop is bounded; a payment that may have moved is never made again.
 * @example const response = await runFetch(runtime, 'https://api.example.com/search', undefined, {})
 * @throws {TollgateError} `policy_*`, `no_payable_option`, `payment_rejected`, `price_changed`,
 * `pay_to_changed`, `payment_failed`, `retry_limit_exceeded`, `wallet_*`
 * @internal
 */
export async function runFetch(
  runtime: ClientRuntime,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  options: ClientFetchOptions,
): Promise<Response> {
  await reconcileAuthorizations(runtime)
  const template = new Request(input, init)
  const body = template.body === null ? undefined : await template.arrayBuffer()
  const state: FetchState = {
    method: template.method,
    headers: template.headers,
    body,
    signal: init?.signal ?? undefined,
    redirect: init?.redirect ?? 'follow',
    options,
    url: template.url,
    session: undefined,
    pass: undefined,
    refusedPass: false,
    refusedSchemes: new Set(),
    retries: 0,
    proofs: 0,
    sent: 0,
    holder: crypto.randomUUID(),
    held: new Set(),
    request: await requestDigest(template.method, template.url, body),
    declared: undefined,
    unread: [],
  }
  try {
    for (;;) {
      const next = await step(runtime, state, await send(runtime, state))
      if (next.done) return next.response
    }
  } finally {
    await Promise.all([...state.held].map((id) => runtime.ledger.unhold(id, state.holder).catch(() => {})))
  }
}

async function send(runtime: ClientRuntime, state: FetchState): Promise<Attempt> {
  const headers = new Headers(state.headers)
  const protocols = runtime.options.preferences?.protocols ?? DEFAULT_PROTOCOLS
  // The draft's preference header: the MPP methods this client pays (the caller's own wins).
  if (protocols.includes('mpp') && !headers.has(mppHeaderNames.acceptPayment))
    headers.set(mppHeaderNames.acceptPayment, ACCEPT_PAYMENT)
  state.pass = undefined
  if (state.session !== undefined) {
    headers.set(state.session.header.name, state.session.header.value)
    state.sent++
  } else if (!state.refusedPass) {
    state.pass = runtime.passes.find(state.method, state.url, Math.floor(runtime.now() / 1000))
    if (state.pass !== undefined) headers.set(headerNames.pass, state.pass.token)
  }
  try {
    const response = await runtime.fetch(state.url, {
      method: state.method,
      headers,
      ...(state.body === undefined ? {} : { body: state.body }),
      // A paid request is never forwarded anywhere else with its payment attached.
      redirect: state.session !== undefined ? 'manual' : state.redirect,
      ...(state.signal ? { signal: state.signal } : {}),
    })
    if (state.session === undefined && response.url) state.url = response.url
    return { kind: 'answered', response }
  } catch (error) {
    return { kind: 'lost', error }
  }
}

function step(runtime: ClientRuntime, state: FetchState, attempt: Attempt): Promise<Next> {
  if (attempt.kind === 'lost') return onLost(runtime, state, attempt.error)
  const { response } = attempt
  if (state.session === undefined && (response.status === 429 || response.status === 503))
    return onBusy(runtime, state, response)
  if (state.session !== undefined && unsettled(response, state.session))
    return onBusy(runtime, state, response)
  if (response.status !== 402) return onServed(runtime, state, response)
  return on402(runtime, state, response)
}

// With a proof attached: 409 payment_in_progress, 429, a 5xx, or a 202 with Retry-After (a
// settlement still pending), without a successful settlement, means the outcome is not final; the
// same proof is sent again.
function unsettled(response: Response, session: PaymentSession): boolean {
  const pending = response.status === 202 && response.headers.has('retry-after')
  if (!pending && response.status !== 409 && response.status !== 429 && response.status < 500) return false
  return readSessionSettlement(response, session)?.success !== true
}

async function onLost(runtime: ClientRuntime, state: FetchState, error: unknown): Promise<Next> {
  const { session } = state
  if (session !== undefined && state.retries < runtime.retry.maxRetries && !state.signal?.aborted) {
    // The answer was lost: resend the same proof; it is accepted at most once.
    const wait = delay(runtime, state.retries++, null) ?? runtime.retry.baseDelayMs
    await sleep(wait, state.signal)
    return CONTINUE
  }
  // Whether it was accepted is unknown: the payment stays reserved and reusable.
  if (session !== undefined) scheduleReconcile(runtime, session)
  throw error
}

async function onBusy(runtime: ClientRuntime, state: FetchState, response: Response): Promise<Next> {
  const wait = delay(runtime, state.retries, response.headers.get('retry-after'))
  if (wait !== undefined && state.retries < runtime.retry.maxRetries) {
    state.retries++
    await response.body?.cancel().catch(() => {})
    await sleep(wait, state.signal)
    return CONTINUE
  }
  if (state.session !== undefined) scheduleReconcile(runtime, state.session)
  return { done: true, response }
}

async function onServed(runtime: ClientRuntime, state: FetchState, response: Response): Promise<Next> {
  if (state.session !== undefined) {
    const settle = readSessionSettlement(response, state.session)
    runtime.payments.set(response, await acceptPayment(runtime, state.session, settle))
  } else if (state.pass !== undefined) {
    runtime.payments.set(response, { method: 'pass', pass: state.pass })
    runtime.emit({ type: 'pass_used', url: state.url, expiresAt: state.pass.expiresAt })
  }
  return { done: true, response }
}

async function on402(runtime: ClientRuntime, state: FetchState, response: Response): Promise<Next> {
  const offers = await readOffers(response, {
    protocols: runtime.options.preferences?.protocols ?? DEFAULT_PROTOCOLS,
    now: runtime.now(),
    fallbackSeconds: runtime.maxAuthorizationSeconds,
  })
  const { x402Version, v1Accepts } = offers
  const offered = withoutClobbering(state, offers)
  const paymentRequired = {
    ...offered,
    accepts: await readTokenDomains(runtime, offered.accepts, state.signal),
  }
  const mppRefusal = state.session?.candidate.requirements.scheme === MPP_SCHEME
  const said = mppRefusal ? (offers.mppProblem ?? offers.x402Error) : (offers.x402Error ?? offers.mppProblem)
  // The draft's `payment-required` problem is the plain ask, as x402's `payment_required` is.
  const code = said === undefined || said === 'payment-required' ? 'payment_required' : said
  if (state.pass !== undefined) {
    // The server no longer honours this pass: drop it and pay instead.
    runtime.passes.remove(state.pass.token)
    state.refusedPass = true
    runtime.emit({ type: 'pass_refused', url: state.url, code })
  }
  if (state.session !== undefined) return onRefused(runtime, state, paymentRequired, code, v1Accepts)
  runtime.emit({
    type: 'payment_required',
    url: state.url,
    accepts: paymentRequired.accepts,
    ...(code === 'payment_required' ? {} : { error: code }),
  })
  const [best] = await pickCandidates(
    runtime,
    paymentRequired.accepts,
    state.url,
    state.options,
    state.unread,
  )
  state.declared = paymentRequired.extensions
  await startPayment(runtime, state, best as Candidate, x402Version === 1 ? v1Accepts : undefined)
  return CONTINUE
}

async function onRefused(
  runtime: ClientRuntime,
  state: FetchState,
  paymentRequired: PaymentRequired,
  code: string,
  v1Accepts: PaymentRequirementsV1[] | undefined,
): Promise<Next> {
  const session = state.session as PaymentSession
  const requirements = session.candidate.requirements
  const again = findOfferAgain(runtime, session, paymentRequired, { url: state.url, code })
  if (requirements.scheme === 'tx' && REPROVABLE.has(code)) {
    await reproveTx(runtime, session, {
      requirements: again,
      code,
      url: state.url,
      proofs: state.proofs,
      signal: state.signal,
    })
    state.proofs++
    return CONTINUE
  }
  // Sent more than once, the refused authorization may be the one an earlier, lost answer settled:
  // the chain decides whether another offer may be paid.
  const used = state.sent > 1 && !ALREADY_USED.has(code) ? await authorizationUsed(session) : false
  if (used === true) await session.commit('used_on_chain')
  const refusal = await refusePayment(runtime, session, code)
  // An exact refusal moved no money yet (it stays reserved): another scheme offered may succeed.
  state.refusedSchemes.add(requirements.scheme)
  if (requirements.scheme === 'tx' || ALREADY_USED.has(code) || used !== false) throw refusal
  let fallback: Candidate | undefined
  try {
    const candidates = await pickCandidates(
      runtime,
      paymentRequired.accepts,
      state.url,
      state.options,
      state.unread,
    )
    fallback = candidates.find((candidate) => !state.refusedSchemes.has(candidate.requirements.scheme))
  } catch {
    fallback = undefined
  }
  if (fallback === undefined) throw refusal
  try {
    await startPayment(runtime, state, fallback, v1Accepts)
  } catch (error) {
    throw new TollgateError('payment_rejected', refusal.message, {
      cause: error,
      details: { ...refusal.details, fallback: toTollgateError(error).code },
    })
  }
  return CONTINUE
}

async function startPayment(
  runtime: ClientRuntime,
  state: FetchState,
  candidate: Candidate,
  v1Accepts: PaymentRequirementsV1[] | undefined,
): Promise<void> {
  await reconcileAuthorizations(runtime)
  const session = openPaymentSession(runtime, {
    candidate,
    url: state.url,
    v1: v1Accepts?.[candidate.index],
    holder: state.holder,
    held: state.held,
    request: state.request,
    declared: state.declared,
  })
  state.session = session
  state.sent = 0
  runtime.emit({
    type: 'quote',
    url: state.url,
    requirements: candidate.requirements,
    asset: candidate.asset,
    amount: candidate.amount,
    display: session.display(),
  })
  const payOptions = { ...state.options, signal: state.signal }
  if (candidate.requirements.scheme === 'tx') await payTx(runtime, session, payOptions)
  else if (candidate.requirements.scheme === MPP_SCHEME) await payMpp(runtime, session, payOptions)
  else await payExact(runtime, session, payOptions)
}

// The MPP credential goes in `Authorization`: a request that carries its own (the caller's
// authentication) is never paid through MPP, so it is never overwritten.
function withoutClobbering(state: FetchState, offers: Offers): PaymentRequired {
  state.unread = offers.skipped
  if (!state.headers.has(mppHeaderNames.authorization)) return offers.paymentRequired
  const accepts = offers.paymentRequired.accepts.filter((offer) => offer.scheme !== MPP_SCHEME)
  const dropped = offers.paymentRequired.accepts.length - accepts.length
  if (dropped > 0) state.unread = [...state.unread, { offer: 'mpp', reason: 'authorization_header_in_use' }]
  return { ...offers.paymentRequired, accepts }
}

function delay(runtime: ClientRuntime, attempt: number, retryAfter: string | null): number | undefined {
  return retryDelay({
    attempt,
    retryAfter,
    baseMs: runtime.retry.baseDelayMs,
    maxMs: runtime.retry.maxDelayMs,
    now: runtime.now(),
    random: Math.random,
  })
}
