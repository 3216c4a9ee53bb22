import { TollgateError } from '../errors/tollgate-error.js'
import type { ClaimResult, Store } from '../store/types.js'
import { keepLease } from './keep-lease.js'

/** Options of {@link claimPayment}. */
export type ClaimPaymentOptions = {
  /** Keys to claim together, such as `tx:<network>:<hash>:<signer>`. */
  keys: readonly string[]
  /**
   * Seconds every claim lives, in flight or spent: at least the acceptance window
   * (ARCHITECTURE.md G3), so a crashed gate's in-flight claim never re-admits the payment.
   */
  ttlSeconds: number
  /**
   * Seconds the claims live in flight past their last renewal, when the store can renew them:
   * they are renewed until committed or released, so a crashed holder's claims free within one
   * lease (see `keepLease`). Default: none, in flight for `ttlSeconds`.
   */
  leaseSeconds?: number
  /** Seconds a duplicate of an in-flight payment is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number
  /** Safe details for the refusal (the network, the transaction). Default none. */
  details?: Record<string, unknown>
  /** What the refusal says was used: "transaction", "authorization", ... Default "payment". */
  noun?: string
  /**
   * Called with the value of a spent key that refused the claim, before `payment_already_used`
   * is thrown (say, to replay the response kept with it). Default: none.
   */
  onSpent?: (value: string) => void
}

/** Claims held by one paid request: commit them once served, release them if nothing was sent. */
export type PaymentClaim = {
  /** The keys held, in the order they were claimed. */
  readonly keys: readonly string[]
  /**
   * Claims more keys for the same payment (say, the transaction once the proof's signer is known to
   * have sent it). On refusal the keys held so far are released (the payment is in flight
   * elsewhere) or committed (it was spent: a replay is then refused without any RPC), and it throws.
   */
  add(keys: readonly string[]): Promise<void>
  /** Marks every key spent. A store failure leaves them in flight, which still refuses replays. */
  commit(value?: string): Promise<void>
  /** Frees every key still in flight under this claim (never a spent one). */
  release(): Promise<void>
  /** Replaces the value of the first key (the payment's own), once committed. */
  annotate(value: string): Promise<void>
}

/**
 * Claims a payment under all of its keys at once (in parallel, one store call each), telling an
 * in-flight duplicate from a spent payment: a key held in flight answers `409
 * payment_in_progress` with `Retry-After`, a spent one `402 payment_already_used`. When any key
 * is refused, the keys this call took are given back (released, or committed when the payment
 * turned out spent), so a refusal never leaves a stray claim behind.
 *
 * @example
 * const claim = await claimPayment(store, { keys: [`tx:${network}:${hash}:${signer}`], ttlSeconds: 3720 })
 * try { await verify() } catch (error) { await claim.release(); throw error }
 * await claim.commit()
 * @throws {TollgateError} `payment_in_progress`, `payment_already_used`, `store_unavailable`
 */
export async function claimPayment(store: Store, options: ClaimPaymentOptions): Promise<PaymentClaim> {
  const held: { key: string; token: string }[] = []
  const lease =
    options.leaseSeconds === undefined
      ? undefined
      : keepLease(store, { leaseSeconds: options.leaseSeconds, maxSeconds: options.ttlSeconds })
  const inFlightSeconds = lease?.ttlSeconds ?? options.ttlSeconds
  const each = (body: (entry: { key: string; token: string }) => Promise<unknown>): Promise<void> => {
    lease?.stop()
    return Promise.all(held.map((entry) => body(entry).catch(() => false))).then(() => {})
  }
  const release = () => each((entry) => store.release(entry.key, entry.token))
  // Committed claims live the full TTL (ARCHITECTURE.md G3), however short their lease was.
  const commit = (value?: string) =>
    each((entry) =>
      store.commit(entry.key, entry.token, {
        ttlSeconds: options.ttlSeconds,
        ...(value === undefined ? {} : { value }),
      }),
    )

  const add = async (keys: readonly string[]): Promise<void> => {
    const settled = await Promise.allSettled(
      keys.map((key) => store.claim(key, { ttlSeconds: inFlightSeconds })),
    )
    const refusals: Extract<ClaimResult, { claimed: false }>[] = []
    let failure: unknown
    settled.forEach((outcome, index) => {
      if (outcome.status === 'rejected') failure ??= outcome.reason
      else if (outcome.value.claimed) {
        held.push({ key: keys[index] as string, token: outcome.value.token })
        lease?.add(keys[index] as string, outcome.value.token)
      } else refusals.push(outcome.value)
    })
    if (failure === undefined && refusals.length === 0) return
    const spentBy = refusals.find((refusal) => refusal.state === 'spent')
    const spent = spentBy !== undefined
    if (spentBy !== undefined && failure === undefined) options.onSpent?.(spentBy.value)
    // A spent payment stays refused at the first key next time; anything else frees what we took.
    await (spent && failure === undefined ? commit() : release())
    if (failure !== undefined) throw failure
    throw refusal(spent, options)
  }

  await add(options.keys)
  return {
    get keys() {
      return held.map((entry) => entry.key)
    },
    add,
    commit,
    release,
    annotate: async (value) => {
      const first = held[0]
      if (first === undefined) return
      await store.commit(first.key, first.token, { ttlSeconds: options.ttlSeconds, value }).catch(() => false)
    },
  }
}

function refusal(spent: boolean, options: ClaimPaymentOptions): TollgateError {
  const noun = options.noun ?? 'payment'
  const details = options.details === undefined ? {} : { details: options.details }
  if (spent) {
    return new TollgateError('payment_already_used', `This ${noun} has already paid for a request.`, details)
  }
  return new TollgateError(
    'payment_in_progress',
    `This ${noun} is paying for a request right now; retry the same proof shortly.`,
    { ...details, retryAfter: options.retryAfterSeconds ?? 1 },
  )
}
