import { formatAmount } from '../amount/format-amount.js'
import { type ChainRegistry, createChainRegistry } from '../chains/create-chain-registry.js'
import type { AssetInfo } from '../chains/types.js'
import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import type { IssuedPass } from '../gate/types.js'
import { createMemoryLedger } from '../ledger/create-memory-ledger.js'
import type { Ledger } from '../ledger/types.js'
import { compileLimit } from '../policy/compile-limit.js'
import { type CreateSpendingPolicyOptions, createSpendingPolicy } from '../policy/create-spending-policy.js'
import type { Money, ReservationReference, SpendingPolicy, SpendingReport } from '../policy/types.js'
import { headerNames } from '../protocol/headers.js'
import { decodePaymentResponseHeader } from '../protocol/payment-response-header.js'
import { encodePaymentSignatureHeader, encodeXPaymentHeader } from '../protocol/payment-signature-header.js'
import { readPaymentRequired } from '../protocol/read-payment-required.js'
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  PaymentRequirementsV1,
  SettleResponse,
} from '../protocol/types.js'
import { createProofMessage } from '../tx/create-proof-message.js'
import { type Candidate, type ClientPreferences, chooseRequirements } from './choose-requirements.js'
import { createPassCache } from './pass-cache.js'
import { retryDelay } from './retry-delay.js'
import type { ExtraCost, Wallet } from './types.js'
import { withJsonAmounts } from './with-json-amounts.js'

/** Something the client did, for logs, demos and audits. Amounts are atomic units. */
export type ClientEvent =
  | { type: 'payment_required'; url: string; accepts: PaymentRequirements[]; error?: string }
  | {
      type: 'quote'
      url: string
      requirements: PaymentRequirements
      asset: AssetInfo
      amount: bigint
      display: string
    }
  | { type: 'transfer_sent'; url: string; network: string; transaction: string; display: string }
  | { type: 'transfer_reused'; url: string; network: string; transaction: string }
  | { type: 'transfer_confirmed'; url: string; network: string; transaction: string }
  | { type: 'authorization_signed'; url: string; network: string; display: string }
  | { type: 'payment_accepted'; url: string; network: string; transaction?: string; pass?: IssuedPass }
  | { type: 'payment_rejected'; url: string; code: string }
  | { type: 'pass_used'; url: string; expiresAt: number }
  | { type: 'pass_refused'; url: string; code: string }

/** Options of {@link createClient}. */
export type CreateClientOptions = {
  /** Wallets to pay from; the first that supports an option pays it. */
  wallets: readonly Wallet[]
  /** The spending policy (or its options). Default: no budget; every other rule off. */
  policy?: SpendingPolicy | CreateSpendingPolicyOptions
  /**
   * Where every quote, payment, proof and the budget are recorded. Default: the policy's ledger
   * when `policy` is a policy object, else in memory; use `createFileLedger` to survive restarts.
   * A policy object with another ledger is refused: one budget lives in one ledger.
   */
  ledger?: Ledger
  /** The `fetch` to wrap. Default the global one. */
  fetch?: typeof fetch
  /** Assets and decimals the client trusts (never the server's). Default the built-in registry. */
  registry?: ChainRegistry
  /** Preferences among payable options. */
  preferences?: ClientPreferences
  /**
   * Decides on costs beyond the price (such as rent for the recipient's Solana token account).
   * Default: decline, so the payment is not made.
   */
  approveExtraCost?: (cost: ExtraCost) => boolean | Promise<boolean>
  /** Retries of 429/503 and of lost responses. */
  retry?: {
    /** Most retries per request. Default 3. */
    maxRetries?: number
    /** First backoff in milliseconds. Default 250. */
    baseDelayMs?: number
    /** Longest wait in milliseconds; a longer `Retry-After` is returned to the caller instead. Default 10000. */
    maxDelayMs?: number
  }
  /** Most times one payment is proven again within one request (new challenge, unconfirmed). Default 3. */
  maxProofAttempts?: number
  /** Milliseconds to wait for a transfer's confirmations. Default 120000. */
  confirmationTimeoutMs?: number
  /** Receives every {@link ClientEvent}. Errors thrown here are ignored. */
  onEvent?: (event: ClientEvent) => void
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** Per-request options of {@link Client.fetch}. */
export type ClientFetchOptions = {
  /**
   * The owner already approved paying up to this much for this request (for example through an
   * agent framework's approval step), so the policy's `approve` callback is skipped within it.
   */
  approvedUpTo?: Money
  /**
   * The most this request may cost, in the syntax of a per-call limit (`"$0.60"`, `"0.5 USDC"`).
   * Offers priced above it are never chosen; when all are, the request fails with
   * `price_above_limit` before anything is reserved, approved or signed.
   */
  maxAmount?: Money
}

/** Options of {@link Client.pay}. */
export type PayOptions = {
  /** The resource being paid for, checked against `allowedDomains` (such as `mcp://tool/search` or an HTTP URL). */
  url: string
  /** See {@link ClientFetchOptions.approvedUpTo}. */
  approvedUpTo?: Money
  /** See {@link ClientFetchOptions.maxAmount}. */
  maxAmount?: Money
  /** Aborts the payment. */
  signal?: AbortSignal
}

/** A payment made by {@link Client.pay}, waiting for the server's answer. */
export type PendingPayment = {
  /** The x402 v2 payload to send. */
  payload: PaymentPayload
  /** The server accepted it (with its settlement response, if any). */
  accepted(settle?: SettleResponse): Promise<PaymentInfo>
  /** The server refused it with `code`; returns the error to surface. */
  rejected(code: string): Promise<TollgateError>
  /**
   * The answer was lost, so whether the server accepted it is unknown: the payment stays reserved
   * and reusable, and a later attempt proves or resends it instead of paying again.
   */
  lost(): void
}

/** What a response cost, as {@link Client.paymentFor} reports it. */
export type PaymentInfo = {
  /** Paid now, or covered by a pass bought earlier. */
  method: 'payment' | 'pass'
  scheme?: string
  network?: string
  /** Asset address, mint or `"native"`. */
  asset?: string
  /** Asset symbol from the client's registry. */
  symbol?: string
  /** Atomic units, as a decimal string. */
  amount?: string
  /** The amount for people: `"0.001 USDC"`. */
  display?: string
  /** Transaction hash or signature. */
  transaction?: string
  /** A pass this payment bought, or the pass that covered the request. */
  pass?: IssuedPass
  /** Whether an earlier transfer was proven again instead of paying anew. */
  reused?: boolean
}

/** A 402-aware fetch with a wallet and a spending policy. */
export type Client = {
  /** `fetch` that pays 402s within the policy. Rejects with a TollgateError when it will not or cannot pay. */
  fetch(input: RequestInfo | URL, init?: RequestInit, options?: ClientFetchOptions): Promise<Response>
  /** What a response returned by {@link Client.fetch} cost; undefined when it was free. */
  paymentFor(response: Response): PaymentInfo | undefined
  /**
   * Pays requirements that arrived outside HTTP (such as an MCP tool's `PaymentRequired`), under the
   * same policy and ledger. Send `payload` to the server, then report the outcome exactly once.
   */
  pay(paymentRequired: PaymentRequired, options: PayOptions): Promise<PendingPayment>
  /** What has been spent and what remains, per asset and in USD, read from the ledger. */
  spent(): Promise<SpendingReport>
  /** Passes bought and still cached. */
  passes(): IssuedPass[]
  /** The ledger in use. */
  readonly ledger: Ledger
  /** The policy in use. */
  readonly policy: SpendingPolicy
}

// A payment in flight within one fetch.
type Payment = {
  id: string
  candidate: Candidate
  reservation?: ReservationReference
  transaction?: string
  hints: Record<string, unknown>
  header: { name: string; value: string }
  /** The x402 v2 payload behind the header. */
  payload?: PaymentPayload
  v1?: PaymentRequirementsV1
  reused?: boolean
}

// How long a request holds a payment in flight before the hold lapses on its own (after a crash).
const HOLD_MS = 15 * 60_000

// The payments one request holds in the ledger, released when it ends.
type Held = { holder: string; ids: Set<string> }

// Refusals a `tx` payment recovers from by proving the same transfer again.
const REPROVABLE = new Set([
  'challenge_expired',
  'challenge_invalid',
  'verify_unconfirmed',
  'verify_tx_not_found',
])
// Refusals after which the transfer can never pay for anything at that gate.
const FINAL_FOR_TRANSFER = new Set([
  'payment_already_used',
  'verify_tx_failed',
  'verify_recipient_mismatch',
  'verify_asset_mismatch',
  'verify_amount_insufficient',
  'verify_outside_window',
  'verify_chain_mismatch',
])

/**
 * Creates a client whose `fetch` pays HTTP 402s (x402 v2 and v1, the `tx` and `exact` schemes,
 * passes) from its wallets, only inside its spending policy, recording everything in a ledger so
 * a payment that was made is never made again.
 *
 * @example
 * const client = createClient({
 *   wallets: [evmWallet({ account, rpcUrls: { 'eip155:8453': rpcUrl } })],
 *   policy: { budget: '$5', perCall: '$0.50', allowedDomains: ['api.example.com'], window: { seconds: 86_400 } },
 * })
 * const response = await client.fetch('https://api.example.com/search?q=x402')
 * @throws {TollgateError} from `fetch`: `policy_*`, `no_payable_option`, `payment_rejected`, `price_changed`,
 * `pay_to_changed`, `payment_failed`, `retry_limit_exceeded`, `wallet_*`
 */
export function createClient(options: CreateClientOptions): Client {
  const registry = options.registry ?? createChainRegistry()
  const given = isPolicy(options.policy) ? options.policy : undefined
  const ledger = options.ledger ?? given?.ledger ?? createMemoryLedger()
  if (given !== undefined && given.ledger !== ledger) {
    throw new TollgateError(
      'config_invalid',
      'The policy keeps its budget in another ledger than `ledger`; pass the same ledger to both.',
    )
  }
  const policy =
    given ??
    createSpendingPolicy({ registry, ...((options.policy as CreateSpendingPolicyOptions) ?? {}), ledger })
  const fetchFn = options.fetch ?? globalThis.fetch
  const now = options.now ?? Date.now
  const maxRetries = options.retry?.maxRetries ?? 3
  const baseDelayMs = options.retry?.baseDelayMs ?? 250
  const maxDelayMs = options.retry?.maxDelayMs ?? 10_000
  const maxProofAttempts = options.maxProofAttempts ?? 3
  const confirmationTimeoutMs = options.confirmationTimeoutMs ?? 120_000
  const passes = createPassCache()
  const payments = new WeakMap<Response, PaymentInfo>()
  // Payments in flight are held in the ledger, so no other request, client or process takes them.
  const holdFor = (holder: string) => ({ holder, until: now() + HOLD_MS })
  const take = async <T extends { id: string } | undefined>(
    ids: Set<string>,
    found: Promise<T>,
  ): Promise<T> => {
    const record = await found
    if (record !== undefined) ids.add(record.id)
    return record
  }

  const finish = async (payment: Payment, outcome: 'commit' | 'release'): Promise<void> => {
    if (payment.reservation === undefined) return
    if (outcome === 'commit') await policy.commit(payment.reservation)
    else await policy.release(payment.reservation)
  }

  const unholdAll = async (held: Held): Promise<void> => {
    await Promise.all([...held.ids].map((id) => ledger.unhold(id, held.holder).catch(() => undefined)))
  }

  const emit = (event: ClientEvent): void => {
    try {
      options.onEvent?.(event)
    } catch {
      // An observer must never change what is paid.
    }
  }

  const approveExtraCost = async (cost: ExtraCost): Promise<boolean> => {
    try {
      return (await options.approveExtraCost?.(cost)) === true
    } catch {
      return false
    }
  }

  const record = (payment: Payment, url: string, type: Parameters<Ledger['append']>[0]['type'], extra = {}) =>
    ledger.append({
      id: payment.id,
      type,
      at: now(),
      url,
      scheme: payment.candidate.requirements.scheme,
      network: payment.candidate.requirements.network,
      asset: payment.candidate.requirements.asset,
      payTo: payment.candidate.requirements.payTo,
      amount: payment.candidate.amount.toString(),
      ...extra,
    })

  const display = (candidate: Candidate) =>
    `${formatAmount(candidate.amount, candidate.asset.decimals)} ${candidate.asset.symbol}`

  const proofHeader = async (
    payment: Payment,
    requirements: PaymentRequirements,
  ): Promise<{ name: string; value: string }> => {
    const challenge = requirements.extra.challenge
    if (typeof challenge !== 'string' || payment.transaction === undefined) {
      throw new TollgateError('response_invalid', 'The tx requirements carry no challenge to prove against.')
    }
    const wallet = payment.candidate.wallet
    if (wallet.signProof === undefined)
      throw new TollgateError('wallet_unavailable', 'The wallet cannot sign tx proofs.')
    const message = createProofMessage({
      network: requirements.network,
      transaction: payment.transaction,
      challenge,
    })
    const signature = await wallet.signProof({ network: requirements.network, message })
    payment.payload = {
      x402Version: 2,
      accepted: requirements,
      payload: { transaction: payment.transaction, challenge, signature, ...payment.hints },
    }
    return { name: headerNames.paymentSignature, value: encodePaymentSignatureHeader(payment.payload) }
  }

  const payTx = async (
    payment: Payment,
    url: string,
    signal: AbortSignal | undefined,
    fetchOptions: ClientFetchOptions,
    held: Held,
  ): Promise<void> => {
    const { requirements, wallet, asset } = payment.candidate
    if (wallet.sendTransfer === undefined || wallet.confirmTransfer === undefined) {
      throw new TollgateError('wallet_unavailable', 'The wallet cannot send transfers.')
    }
    const reused = await take(
      held.ids,
      ledger.findUnusedTransfer({
        scheme: 'tx',
        network: requirements.network,
        asset: requirements.asset,
        payTo: requirements.payTo,
        minAmount: payment.candidate.amount,
        take: holdFor(held.holder),
        now: now(),
      }),
    )
    if (reused?.transaction !== undefined) {
      // Money already left for this recipient and was never credited: prove it again, never pay twice.
      payment.id = reused.id
      payment.reused = true
      payment.transaction = reused.transaction
      payment.reservation = { id: reused.id }
      emit({ type: 'transfer_reused', url, network: requirements.network, transaction: reused.transaction })
    } else {
      payment.reservation = await policy.reserve(
        { url, requirements, asset, amount: payment.candidate.amount },
        {
          id: payment.id,
          hold: holdFor(held.holder),
          ...(fetchOptions.approvedUpTo === undefined ? {} : { approvedUpTo: fetchOptions.approvedUpTo }),
        },
      )
      held.ids.add(payment.id)
      await record(payment, url, 'quote')
      try {
        const sent = await wallet.sendTransfer({
          requirements,
          asset,
          approveExtraCost,
          ...(signal ? { signal } : {}),
        })
        payment.transaction = sent.transaction
      } catch (error) {
        await finish(payment, 'release')
        await record(payment, url, 'failed', { error: toTollgateError(error, 'payment_failed').code })
        throw toTollgateError(error, 'payment_failed')
      }
      await record(payment, url, 'broadcast', { transaction: payment.transaction })
      emit({
        type: 'transfer_sent',
        url,
        network: requirements.network,
        transaction: payment.transaction,
        display: display(payment.candidate),
      })
    }
    const confirmations =
      typeof requirements.extra.confirmations === 'number' ? requirements.extra.confirmations : 1
    try {
      const confirmed = await wallet.confirmTransfer({
        requirements,
        transaction: payment.transaction,
        confirmations: Math.min(Math.max(1, confirmations), 1000),
        timeoutMs: confirmationTimeoutMs,
        ...(signal ? { signal } : {}),
      })
      payment.hints = confirmed.hints
    } catch (error) {
      const failure = toTollgateError(error, 'payment_failed')
      if (failure.code === 'payment_failed') {
        // Reverted: no tokens moved, so the budget is freed; the gas is the only loss.
        await finish(payment, 'release')
        await record(payment, url, 'failed', { transaction: payment.transaction, error: failure.code })
      }
      throw failure
    }
    if (payment.reservation) await policy.commit(payment.reservation)
    await record(payment, url, 'confirmed', { transaction: payment.transaction, hints: payment.hints })
    emit({ type: 'transfer_confirmed', url, network: requirements.network, transaction: payment.transaction })
    payment.header = await proofHeader(payment, requirements)
  }

  const payExact = async (
    payment: Payment,
    url: string,
    signal: AbortSignal | undefined,
    fetchOptions: ClientFetchOptions,
    held: Held,
  ): Promise<void> => {
    const { requirements, wallet, asset } = payment.candidate
    if (wallet.authorize === undefined)
      throw new TollgateError('wallet_unavailable', 'The wallet cannot sign authorizations.')
    const reused = await take(
      held.ids,
      ledger.findUnusedAuthorization({
        scheme: 'exact',
        network: requirements.network,
        asset: requirements.asset,
        payTo: requirements.payTo,
        minAmount: payment.candidate.amount,
        now: now(),
        take: holdFor(held.holder),
      }),
    )
    const reusable =
      reused?.payload !== undefined && authorizedValue(reused.payload) === payment.candidate.amount
    let payload = reusable ? reused?.payload : undefined
    if (reused !== undefined && payload !== undefined) {
      // The same authorization (same nonce) can settle at most once: resending it cannot pay twice.
      payment.id = reused.id
      payment.reservation = { id: reused.id }
    } else {
      payment.reservation = await policy.reserve(
        { url, requirements, asset, amount: payment.candidate.amount },
        {
          id: payment.id,
          hold: holdFor(held.holder),
          ...(fetchOptions.approvedUpTo === undefined ? {} : { approvedUpTo: fetchOptions.approvedUpTo }),
        },
      )
      held.ids.add(payment.id)
      await record(payment, url, 'quote')
      try {
        payload = await wallet.authorize({ requirements, asset, now: now(), ...(signal ? { signal } : {}) })
      } catch (error) {
        await finish(payment, 'release')
        await record(payment, url, 'failed', { error: toTollgateError(error, 'payment_failed').code })
        throw toTollgateError(error, 'payment_failed')
      }
      await record(payment, url, 'authorized', { payload })
      emit({
        type: 'authorization_signed',
        url,
        network: requirements.network,
        display: display(payment.candidate),
      })
    }
    payment.payload = { x402Version: 2, accepted: requirements, payload }
    payment.header =
      payment.v1 === undefined
        ? {
            name: headerNames.paymentSignature,
            value: encodePaymentSignatureHeader({ x402Version: 2, accepted: requirements, payload }),
          }
        : {
            name: headerNames.xPayment,
            value: encodeXPaymentHeader({
              x402Version: 1,
              scheme: 'exact',
              network: payment.v1.network,
              payload,
            }),
          }
  }

  const settled = async (payment: Payment, url: string, response: Response): Promise<PaymentInfo> => {
    const header =
      response.headers.get(headerNames.paymentResponse) ?? response.headers.get(headerNames.xPaymentResponse)
    let settle: SettleResponse | undefined
    try {
      settle = header === null ? undefined : decodePaymentResponseHeader(header)
    } catch {
      settle = undefined
    }
    return accepted(payment, url, settle)
  }

  const accepted = async (
    payment: Payment,
    url: string,
    settle: SettleResponse | undefined,
  ): Promise<PaymentInfo> => {
    const pass = readPass(settle?.extensions?.pass)
    if (pass !== undefined) passes.add(pass, url)
    await finish(payment, 'commit')
    const transaction = settle?.transaction || payment.transaction
    await record(payment, url, 'accepted', {
      ...(transaction ? { transaction } : {}),
      ...(settle?.payer ? { payer: settle.payer } : {}),
      ...(pass ? { pass } : {}),
    })
    emit({
      type: 'payment_accepted',
      url,
      network: payment.candidate.requirements.network,
      ...(transaction ? { transaction } : {}),
      ...(pass ? { pass } : {}),
    })
    const { requirements, asset, amount } = payment.candidate
    return {
      method: 'payment',
      scheme: requirements.scheme,
      network: requirements.network,
      asset: requirements.asset,
      symbol: asset.symbol,
      amount: amount.toString(),
      display: display(payment.candidate),
      ...(transaction ? { transaction } : {}),
      ...(pass ? { pass } : {}),
      ...(payment.reused ? { reused: true } : {}),
    }
  }

  const refused = async (payment: Payment, url: string, code: string): Promise<TollgateError> => {
    const scheme = payment.candidate.requirements.scheme
    // An exact authorization that was refused moved no money; a tx transfer did, and stays usable
    // unless the refusal is final for that transfer.
    if (scheme !== 'tx') await finish(payment, 'release')
    if (scheme !== 'tx' || FINAL_FOR_TRANSFER.has(code)) {
      await record(payment, url, 'rejected', {
        error: code,
        ...(payment.transaction ? { transaction: payment.transaction } : {}),
      })
    }
    emit({ type: 'payment_rejected', url, code })
    return new TollgateError('payment_rejected', `The server refused the payment (${code}).`, {
      details: {
        code,
        url,
        ...(payment.transaction ? { transaction: payment.transaction } : {}),
        ...(code === 'payment_already_used'
          ? { hint: 'The server had already accepted this payment; an earlier response was lost.' }
          : {}),
      },
    })
  }

  const clientFetch = async (
    input: RequestInfo | URL,
    init?: RequestInit,
    fetchOptions: ClientFetchOptions = {},
  ): Promise<Response> => {
    const held: Held = { holder: crypto.randomUUID(), ids: new Set() }
    try {
      return await fetchOnce(input, init, held, fetchOptions)
    } finally {
      await unholdAll(held)
    }
  }

  const fetchOnce = async (
    input: RequestInfo | URL,
    init: RequestInit | undefined,
    held: Held,
    fetchOptions: ClientFetchOptions,
  ): Promise<Response> => {
    const template = new Request(input, init)
    const body = template.body === null ? undefined : await template.arrayBuffer()
    const signal = init?.signal ?? undefined
    const method = template.method
    let url = template.url
    let payment: Payment | undefined
    let retries = 0
    let proofs = 0
    let refusedPass = false

    for (;;) {
      const headers = new Headers(template.headers)
      let pass: IssuedPass | undefined
      if (payment !== undefined) headers.set(payment.header.name, payment.header.value)
      else if (!refusedPass) {
        pass = passes.find(method, url, Math.floor(now() / 1000))
        if (pass !== undefined) headers.set(headerNames.pass, pass.token)
      }
      let response: Response
      try {
        response = await fetchFn(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          // A paid request is never forwarded anywhere else with its payment attached.
          redirect: payment !== undefined ? 'manual' : (init?.redirect ?? 'follow'),
          ...(signal ? { signal } : {}),
        })
      } catch (error) {
        if (payment !== undefined && retries < maxRetries && !signal?.aborted) {
          // The response was lost: resend the same proof; it is accepted at most once.
          await sleep(
            retryDelay({
              attempt: retries++,
              retryAfter: null,
              baseMs: baseDelayMs,
              maxMs: maxDelayMs,
              now: now(),
              random: Math.random,
            }) ?? baseDelayMs,
          )
          continue
        }
        throw error
      }
      if (payment === undefined && response.url) url = response.url
      if (response.status === 429 || response.status === 503) {
        const wait = retryDelay({
          attempt: retries,
          retryAfter: response.headers.get('retry-after'),
          baseMs: baseDelayMs,
          maxMs: maxDelayMs,
          now: now(),
          random: Math.random,
        })
        if (wait !== undefined && retries < maxRetries) {
          retries++
          await response.body?.cancel().catch(() => {})
          await sleep(wait, signal)
          continue
        }
        return response
      }
      if (response.status !== 402) {
        if (payment !== undefined) payments.set(response, await settled(payment, url, response))
        else if (pass !== undefined) {
          payments.set(response, { method: 'pass', pass })
          emit({ type: 'pass_used', url, expiresAt: pass.expiresAt })
        }
        return response
      }

      const { paymentRequired, x402Version, v1Accepts } = await readPaymentRequired(response)
      const code = paymentRequired.error ?? 'payment_required'
      if (pass !== undefined) {
        // The server no longer honours this pass: drop it and pay instead.
        passes.remove(pass.token)
        refusedPass = true
        emit({ type: 'pass_refused', url, code })
      }
      if (payment !== undefined) {
        const requirements = payment.candidate.requirements
        const again = paymentRequired.accepts.find(
          (entry) =>
            entry.scheme === requirements.scheme &&
            entry.network === requirements.network &&
            entry.asset.toLowerCase() === requirements.asset.toLowerCase(),
        )
        if (again === undefined || again.payTo.toLowerCase() !== requirements.payTo.toLowerCase()) {
          if (requirements.scheme !== 'tx') await finish(payment, 'release')
          throw new TollgateError(
            'pay_to_changed',
            'The server changed the recipient after the payment; nothing more is paid.',
            {
              details: { url, before: requirements.payTo, after: again?.payTo ?? null, code },
            },
          )
        }
        if (BigInt(again.amount) > payment.candidate.amount) {
          if (requirements.scheme !== 'tx') await finish(payment, 'release')
          throw new TollgateError(
            'price_changed',
            'The server raised the price after the payment; nothing more is paid.',
            {
              details: { url, before: requirements.amount, after: again.amount, code },
            },
          )
        }
        if (requirements.scheme === 'tx' && REPROVABLE.has(code)) {
          if (proofs >= maxProofAttempts) {
            throw new TollgateError(
              'retry_limit_exceeded',
              `The server still refuses the proof after ${proofs} attempts (${code}).`,
              {
                details: { url, code, transaction: payment.transaction ?? null },
              },
            )
          }
          proofs++
          const wait = retryDelay({
            attempt: proofs,
            retryAfter: response.headers.get('retry-after'),
            baseMs: baseDelayMs,
            maxMs: maxDelayMs,
            now: now(),
            random: Math.random,
          })
          await sleep(
            code === 'verify_unconfirmed' || code === 'verify_tx_not_found' ? (wait ?? maxDelayMs) : 0,
            signal,
          )
          payment.header = await proofHeader(payment, { ...again, amount: requirements.amount })
          continue
        }
        throw await refused(payment, url, code)
      }

      emit({
        type: 'payment_required',
        url,
        accepts: paymentRequired.accepts,
        ...(code === 'payment_required' ? {} : { error: code }),
      })
      const candidate = await pick(paymentRequired.accepts, url, fetchOptions)
      emit({
        type: 'quote',
        url,
        requirements: candidate.requirements,
        asset: candidate.asset,
        amount: candidate.amount,
        display: display(candidate),
      })
      payment = {
        id: crypto.randomUUID(),
        candidate,
        hints: {},
        header: { name: '', value: '' },
        ...(x402Version === 1 && v1Accepts?.[candidate.index] ? { v1: v1Accepts[candidate.index] } : {}),
      }
      if (candidate.requirements.scheme === 'tx') await payTx(payment, url, signal, fetchOptions, held)
      else await payExact(payment, url, signal, fetchOptions, held)
    }
  }

  const pick = async (
    accepts: PaymentRequirements[],
    url: string,
    limits: { maxAmount?: Money | undefined; approvedUpTo?: Money | undefined },
  ): Promise<Candidate> => {
    const { maxAmount, approvedUpTo } = limits
    const payable = chooseRequirements(accepts, options.wallets, registry, options.preferences).filter(
      (candidate) => candidate.requirements.scheme === 'tx' || candidate.requirements.scheme === 'exact',
    )
    const ceiling =
      maxAmount === undefined ? undefined : compileLimit(maxAmount, { registry, option: 'maxAmount' })
    const candidates =
      ceiling === undefined
        ? payable
        : payable.filter(
            (candidate) =>
              ceiling.applies(candidate.asset) &&
              ceiling.measure(candidate.asset, candidate.amount) <= ceiling.limit,
          )
    const cheapest = payable[0]
    if (candidates.length === 0 && cheapest !== undefined && ceiling !== undefined) {
      throw new TollgateError(
        'price_above_limit',
        `The service asks for ${display(cheapest)}, more than the ${ceiling.label} this request may cost; nothing was paid.`,
        { details: { url, limit: ceiling.label, amount: display(cheapest) } },
      )
    }
    let firstRefusal: TollgateError | undefined
    for (const candidate of candidates) {
      try {
        await policy.check(
          { url, requirements: candidate.requirements, asset: candidate.asset, amount: candidate.amount },
          approvedUpTo === undefined ? {} : { approvedUpTo },
        )
        return candidate
      } catch (error) {
        firstRefusal ??= toTollgateError(error)
      }
    }
    if (firstRefusal !== undefined) throw firstRefusal
    throw new TollgateError(
      'no_payable_option',
      'None of the offered payment options can be paid by this client.',
      {
        details: { url, offered: accepts.map((entry) => `${entry.scheme}:${entry.network}:${entry.asset}`) },
      },
    )
  }

  const pay: Client['pay'] = async (paymentRequired, payOptions) => {
    const url = payOptions.url
    const candidate = await pick(paymentRequired.accepts, url, payOptions)
    emit({
      type: 'quote',
      url,
      requirements: candidate.requirements,
      asset: candidate.asset,
      amount: candidate.amount,
      display: display(candidate),
    })
    const payment: Payment = {
      id: crypto.randomUUID(),
      candidate,
      hints: {},
      header: { name: '', value: '' },
    }
    const held: Held = { holder: crypto.randomUUID(), ids: new Set() }
    const done = () => unholdAll(held)
    const fetchOptions =
      payOptions.approvedUpTo === undefined ? {} : { approvedUpTo: payOptions.approvedUpTo }
    try {
      if (candidate.requirements.scheme === 'tx')
        await payTx(payment, url, payOptions.signal, fetchOptions, held)
      else await payExact(payment, url, payOptions.signal, fetchOptions, held)
    } catch (error) {
      await done()
      throw error
    }
    return {
      payload: payment.payload as PaymentPayload,
      accepted: async (settle) => {
        try {
          return await accepted(payment, url, settle)
        } finally {
          await done()
        }
      },
      rejected: async (code) => {
        try {
          return await refused(payment, url, code)
        } finally {
          await done()
        }
      },
      lost: () => {
        void done()
      },
    }
  }

  return {
    fetch: clientFetch,
    pay,
    paymentFor: (response) => payments.get(response),
    spent: () => withJsonAmounts(policy.spent()),
    passes: () => passes.list(),
    ledger,
    policy,
  }
}

function authorizedValue(payload: Record<string, unknown>): bigint | undefined {
  const value = (payload.authorization as { value?: unknown } | undefined)?.value
  return typeof value === 'string' && /^\d{1,78}$/.test(value) ? BigInt(value) : undefined
}

function isPolicy(value: unknown): value is SpendingPolicy {
  return (
    typeof value === 'object' && value !== null && typeof (value as SpendingPolicy).reserve === 'function'
  )
}

function readPass(value: unknown): IssuedPass | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const pass = value as Partial<IssuedPass>
  if (typeof pass.token !== 'string' || pass.token.length > 4096 || typeof pass.expiresAt !== 'number')
    return undefined
  if (typeof pass.scope !== 'object' || pass.scope === null || !Array.isArray(pass.scope.routes))
    return undefined
  const routes = pass.scope.routes.filter((route): route is string => typeof route === 'string').slice(0, 32)
  return {
    token: pass.token,
    expiresAt: pass.expiresAt,
    scope: { routes, ...(typeof pass.scope.origin === 'string' ? { origin: pass.scope.origin } : {}) },
    ...(typeof pass.uses === 'number' ? { uses: pass.uses } : {}),
  }
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  if (milliseconds <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}
