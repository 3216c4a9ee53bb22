import { TollgateError } from '../errors/tollgate-error.js'
import { assertClaimValue } from './assert-claim-value.js'
import { assertTokenBucket } from './assert-token-bucket.js'
import { decodeClaimEntry } from './decode-claim-entry.js'
import { encodeClaimEntry } from './encode-claim-entry.js'
import type { Store, TakeResult, TokenBucket } from './types.js'

/** Options of {@link createMemoryStore}. */
export type CreateMemoryStoreOptions = {
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
  /** Most live entries before claims are refused with `store_unavailable`. Default 1,000,000. */
  maxEntries?: number
}

type Entry = { value: string | number; expiresAt: number }
type Bucket = { tokens: number; updatedAt: number; expiresAt: number }

/**
 * Creates an in-process store. **For development and tests only**: it forgets everything on
 * restart (so a restarted gate would accept spent proofs again) and is not shared between
 * instances. Use `@tollgate/redis` or a durable store in production; `durable` is `false` here
 * so a gate can refuse it.
 *
 * Expired entries are swept as the store is used, so memory stays bounded by the entries live
 * within their TTL, capped by `maxEntries`.
 *
 * @example const gate = createGate({ ..., store: createMemoryStore() })
 */
export function createMemoryStore(options: CreateMemoryStoreOptions = {}): Store & { size(): number } {
  const now = options.now ?? Date.now
  const maxEntries = options.maxEntries ?? 1_000_000
  const entries = new Map<string, Entry>()
  const buckets = new Map<string, Bucket>()
  let operations = 0
  // Claim tokens only need to be unique within this process: a counter costs a few bytes where a
  // random UUID string costs hundreds, and the store holds one per spent proof.
  let claims = 0

  const live = (key: string, at: number): Entry | undefined => {
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= at) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  // Amortised sweep: every 1024 operations, drop what has expired (Map iterates in insertion order).
  const sweep = (at: number): void => {
    if (++operations % 1024 !== 0) return
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key)
    for (const [key, bucket] of buckets) if (bucket.expiresAt <= at) buckets.delete(key)
  }
  const ensureRoom = (): void => {
    if (entries.size >= maxEntries) {
      for (const [key, entry] of entries) if (entry.expiresAt <= now()) entries.delete(key)
      if (entries.size >= maxEntries) {
        throw new TollgateError(
          'store_unavailable',
          `The memory store is full (${maxEntries} live entries).`,
          { retryAfter: 1 },
        )
      }
    }
  }
  const expiry = (at: number, ttlSeconds: number): number => {
    if (!Number.isFinite(ttlSeconds)) {
      throw new TollgateError('config_invalid', `ttlSeconds must be a finite number, got ${ttlSeconds}.`)
    }
    return at + Math.max(1, Math.ceil(ttlSeconds * 1000))
  }

  return {
    specificationVersion: 'v2',
    kind: 'memory',
    durable: false,
    async claim(key, options) {
      const value = assertClaimValue(options.value)
      const at = now()
      sweep(at)
      const held = live(key, at)
      if (held !== undefined) {
        const entry = decodeClaimEntry(String(held.value))
        return { claimed: false, state: entry.state, value: entry.value }
      }
      ensureRoom()
      const token = String(++claims)
      entries.set(key, {
        value: encodeClaimEntry({ state: 'in_flight', token, value }),
        expiresAt: expiry(at, options.ttlSeconds),
      })
      return { claimed: true, token }
    },
    async commit(key, token, options) {
      const value = options.value === undefined ? undefined : assertClaimValue(options.value)
      const at = now()
      const held = live(key, at)
      if (held === undefined) return false
      const entry = decodeClaimEntry(String(held.value))
      if (entry.token !== token) return false
      held.value = encodeClaimEntry({ state: 'spent', token, value: value ?? entry.value })
      // Committing never shortens a life the claim already promised (invariant: spent outlives the window).
      held.expiresAt = Math.max(held.expiresAt, expiry(at, options.ttlSeconds))
      return true
    },
    async release(key, token) {
      const held = live(key, now())
      if (held === undefined) return false
      const entry = decodeClaimEntry(String(held.value))
      if (entry.state !== 'in_flight' || entry.token !== token) return false
      entries.delete(key)
      return true
    },
    async renew(key, token, ttlSeconds) {
      const at = now()
      const until = expiry(at, ttlSeconds)
      const held = live(key, at)
      if (held === undefined) return false
      const entry = decodeClaimEntry(String(held.value))
      if (entry.state !== 'in_flight' || entry.token !== token) return false
      held.expiresAt = Math.max(held.expiresAt, until)
      return true
    },
    async increment(key, ttlSeconds) {
      const at = now()
      sweep(at)
      const entry = live(key, at)
      if (entry === undefined) {
        ensureRoom()
        entries.set(key, { value: 1, expiresAt: expiry(at, ttlSeconds) })
        return 1
      }
      entry.value = Number(entry.value) + 1
      return entry.value
    },
    async has(key) {
      return live(key, now()) !== undefined
    },
    async put(key, ttlSeconds) {
      const at = now()
      sweep(at)
      ensureRoom()
      entries.set(key, { value: 1, expiresAt: expiry(at, ttlSeconds) })
    },
    async take(key, bucket) {
      const at = now()
      sweep(at)
      return takeFromBucket(buckets, key, assertTokenBucket(bucket), at)
    },
    size: () => entries.size + buckets.size,
  }
}

function takeFromBucket(
  buckets: Map<string, Bucket>,
  key: string,
  bucket: TokenBucket,
  at: number,
): TakeResult {
  const cost = bucket.cost ?? 1
  const current = buckets.get(key)
  const elapsed = current ? Math.max(0, at - current.updatedAt) / 1000 : 0
  const tokens = current
    ? Math.min(bucket.capacity, current.tokens + elapsed * bucket.refillPerSecond)
    : bucket.capacity
  const fullAfterSeconds = bucket.capacity / bucket.refillPerSecond
  if (tokens >= cost) {
    buckets.set(key, {
      tokens: tokens - cost,
      updatedAt: at,
      expiresAt: at + Math.ceil(fullAfterSeconds * 1000),
    })
    return { allowed: true, remaining: Math.floor(tokens - cost), retryAfterSeconds: 0 }
  }
  buckets.set(key, { tokens, updatedAt: at, expiresAt: at + Math.ceil(fullAfterSeconds * 1000) })
  return {
    allowed: false,
    remaining: Math.floor(tokens),
    retryAfterSeconds: (cost - tokens) / bucket.refillPerSecond,
  }
}
