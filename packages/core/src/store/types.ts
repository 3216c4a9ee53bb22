/**
 * Where a gate keeps the little state it needs: spent payments (replay protection), pass
 * revocations and use counts, and rate-limit buckets. Implementations must make every method
 * atomic across all gate instances that share the store.
 *
 * A store that cannot answer must throw (or reject); the gate turns that into a `503` with
 * `Retry-After` and never serves the request.
 */
export interface Store {
  readonly specificationVersion: 'v1'
  /** A short name for logs and metrics, such as `"memory"` or `"redis"`. */
  readonly kind: string
  /** Whether entries survive a restart of the process. The memory store is not durable. */
  readonly durable: boolean
  /**
   * Atomically creates `key` if it does not exist, expiring after `ttlSeconds`. Returns a claim
   * token when this call created the key, or `undefined` when it already existed.
   */
  claim(key: string, ttlSeconds: number): Promise<string | undefined>
  /** Deletes `key` only if it still holds `token` (so a late release cannot free someone else's claim). */
  release(key: string, token: string): Promise<void>
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
