/**
 * Where a gate keeps the little state it needs: spent payments (replay protection), pass
 * revocations and use counts, and rate-limit buckets. Implementations must make every method
 * atomic across all gate instances that share the store.
 *
 * A store that cannot answer must throw (or reject); the gate turns that into a `503` with
 * `Retry-After` and never serves the request.
 */
export interface Store {
  /**
   * The contract version. `'v2'` added claim states (in flight, spent), claim values, `commit`,
   * and a `release` that answers whether it freed anything.
   */
  readonly specificationVersion: 'v2'
  /** A short name for logs and metrics, such as `"memory"` or `"redis"`. */
  readonly kind: string
  /** Whether entries survive a restart of the process. The memory store is not durable. */
  readonly durable: boolean
  /**
   * Atomically creates the claim `key` in flight, holding `options.value`, if the key does not
   * exist. When it exists, answers in the same atomic step whether it is in flight or spent, and
   * the value it holds, so a caller can tell "being served" from "already sold".
   */
  claim(key: string, options: ClaimOptions): Promise<ClaimResult>
  /**
   * Marks the claim `key` spent, only if it still holds `token` (in flight, or spent by this
   * same token, which updates its value). The entry then lives at least `options.ttlSeconds`
   * more and never less than it already had to. Resolves `false` when the token no longer holds
   * the key (released, expired, or taken by someone else).
   */
  commit(key: string, token: string, options: CommitOptions): Promise<boolean>
  /**
   * Deletes the claim `key` only while it is in flight under `token`, so a late release can free
   * neither someone else's claim nor a spent one. Resolves whether it deleted the claim.
   */
  release(key: string, token: string): Promise<boolean>
  /**
   * Extends the claim `key` while it is in flight under `token`: it then lives at least
   * `ttlSeconds` more from now, never less than it already had to. Resolves `false` (and changes
   * nothing) when the token no longer holds the key in flight (released, expired, spent, or taken
   * by someone else). A gate claims with a short lease and renews it while it works, so a crashed
   * holder's claim frees within one lease. Optional: without it, the gate claims for the whole
   * acceptance window.
   */
  renew?(key: string, token: string, ttlSeconds: number): Promise<boolean>
  /**
   * Atomically adds 1 to the counter at `key` (creating it at 0 with `ttlSeconds` to live) and
   * returns the new value.
   */
  increment(key: string, ttlSeconds: number): Promise<number>
  /** Whether `key` exists and has not expired. */
  has(key: string): Promise<boolean>
  /** Creates or overwrites `key`, expiring after `ttlSeconds`. */
  put(key: string, ttlSeconds: number): Promise<void>
  /**
   * Takes `cost` tokens from the token bucket at `key` (capacity `capacity`, refilled at
   * `refillPerSecond`), atomically.
   */
  take(key: string, bucket: TokenBucket): Promise<TakeResult>
  /** Releases connections and timers. */
  close?(): Promise<void>
}

/** A token-bucket rate limit. */
export type TokenBucket = {
  /** Most tokens the bucket holds: the burst size. */
  capacity: number
  /** Tokens added per second: the sustained rate. */
  refillPerSecond: number
  /** Tokens this call takes. Default 1. */
  cost?: number
}

/** The result of {@link Store.take}. */
export type TakeResult = {
  /** Whether the tokens were taken. */
  allowed: boolean
  /** Whole tokens left after this call. */
  remaining: number
  /** Seconds until `cost` tokens are available again; 0 when allowed. */
  retryAfterSeconds: number
}

/** The state of a held claim: a request is being served with it, or it was sold for good. */
export type ClaimState = 'in_flight' | 'spent'

/** Options of {@link Store.claim}. */
export type ClaimOptions = {
  /**
   * Seconds the in-flight claim lives if it is never committed, released or renewed (a crashed
   * process). An in-flight entry that expired admits the payment again, to be verified afresh:
   * keep it as long as the acceptance window, or claim on a short lease and {@link Store.renew}
   * it while working, as the gate does.
   */
  ttlSeconds: number
  /**
   * A small value kept with the claim and answered to later claimers (say, the payer). Stores
   * keep values up to 65,536 characters (room for a small kept response). Default `""`.
   */
  value?: string
}

/** Options of {@link Store.commit}. */
export type CommitOptions = {
  /** Seconds the spent entry lives at least, from now; a longer remaining life is kept. */
  ttlSeconds: number
  /** Replaces the claim's value (say, with the settlement hash or a kept response). Default: kept. */
  value?: string
}

/** The result of {@link Store.claim}. */
export type ClaimResult =
  | {
      /** This call created the claim. */
      claimed: true
      /** Proves ownership to {@link Store.commit} and {@link Store.release}. */
      token: string
    }
  | {
      /** The key was held already. */
      claimed: false
      /** Whether the holder is still being served (`in_flight`) or sold it (`spent`). */
      state: ClaimState
      /** The value the claim holds (`""` when none, and for entries written by a v1 store). */
      value: string
    }

/** A claim as a store keeps it; see {@link encodeClaimEntry}. */
export type ClaimEntry = {
  /** In flight or spent. */
  state: ClaimState
  /** The owner's token. */
  token: string
  /** The claim's value, `""` when none. */
  value: string
}
