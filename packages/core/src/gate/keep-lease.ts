import type { Store } from '../store/types.js'

/** Options of {@link keepLease}. @internal */
export type KeepLeaseOptions = {
  /** Seconds each renewal extends the claims by: the lease. */
  leaseSeconds: number
  /** Seconds after which renewals stop whatever happens (the claims' full TTL), so a holder that never finishes cannot hold them for ever. */
  maxSeconds: number
}

/** Claims kept alive on a lease; see {@link keepLease}. @internal */
export type ClaimLease = {
  /** Seconds to claim with: the lease when the store can renew claims, else `maxSeconds`. */
  readonly ttlSeconds: number
  /** Adds a held claim to the lease. */
  add(key: string, token: string): void
  /** Whether no renewal found a claim lost so far (a lapsed lease, taken over by someone else). */
  held(): boolean
  /** Stops renewing (the claims were committed, released, or extended for good). */
  stop(): void
}

/**
 * Renews in-flight claims every third of `leaseSeconds` until stopped, so they outlive their
 * holder by at most one lease: a gate killed while it verifies or runs the handler frees the
 * payment for a retry within `leaseSeconds`, instead of holding it for the acceptance window.
 *
 * Why a lease that lapses while its holder is alive (an event-loop stall longer than the lease)
 * cannot charge twice or serve unpaid (ARCHITECTURE.md G2, G5, G8): the next holder verifies the
 * payment afresh, and only the chain decides. A `tx` transfer moved its money once, whoever serves
 * it, and a served `tx` payment is committed before its answer goes out, so a lapsed holder that
 * resumes finds its commit refused at worst after serving a paid request a second time. An
 * `exact` authorization moves money only through its settlement, and the holder renews its claim
 * for the whole window and records the settlement *before* the broadcast: a holder whose lease
 * lapsed is refused there (`renew` answers false), broadcasts nothing and answers `409`, its held
 * response never sent; and the EIP-3009 nonce lets at most one settlement of the authorization
 * land. The lost lease is also seen by {@link ClaimLease.held}.
 *
 * Stores without `renew` get no timer, and `ttlSeconds` is the full TTL.
 *
 * @example
 * const lease = keepLease(store, { leaseSeconds: 10, maxSeconds: 3720 })
 * lease.add(key, token)
 * try { await work() } finally { lease.stop() }
 * @internal
 */
export function keepLease(store: Store, options: KeepLeaseOptions): ClaimLease {
  const claims: { key: string; token: string }[] = []
  let lost = false
  let timer: ReturnType<typeof setInterval> | undefined
  let ticks = 0
  const periodMs = Math.max(100, Math.floor((options.leaseSeconds * 1000) / 3))
  const maxTicks = Math.ceil((options.maxSeconds * 1000) / periodMs)
  const stop = () => {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
  }
  const renew = async () => {
    if (++ticks > maxTicks) return stop()
    const answers = await Promise.all(
      // A store that fails to answer loses nothing yet: the lease still has two thirds to run.
      claims.map(({ key, token }) => store.renew?.(key, token, options.leaseSeconds).catch(() => true)),
    )
    if (answers.includes(false)) {
      lost = true
      stop()
    }
  }
  if (store.renew !== undefined) {
    timer = setInterval(() => void renew(), periodMs)
    // Never keeps a process alive (Node, Bun); other runtimes have no unref.
    ;(timer as { unref?: () => void }).unref?.()
  }
  return {
    ttlSeconds:
      store.renew === undefined ? options.maxSeconds : Math.min(options.leaseSeconds, options.maxSeconds),
    add: (key, token) => {
      claims.push({ key, token })
    },
    held: () => !lost,
    stop,
  }
}
