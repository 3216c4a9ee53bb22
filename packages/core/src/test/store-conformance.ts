import { TollgateError } from '../errors/tollgate-error.js'
import type { ClaimResult, Store } from '../store/types.js'

/** The parts of a test runner {@link defineStoreConformance} needs (vitest, jest and node:test fit). */
export type ConformanceRunner = {
  describe: (name: string, body: () => void) => void
  test: (name: string, body: () => Promise<void>, timeout?: number) => void
  expect: (value: unknown) => {
    toBe(expected: unknown): void
    toBeUndefined(): void
    toBeTypeOf(type: string): void
    toBeGreaterThan(expected: number): void
  }
}

/** Options of {@link defineStoreConformance}. */
export type DefineStoreConformanceOptions = {
  /** Suite name, such as `"redis"`. */
  name: string
  /** Makes a fresh, empty store for one test. */
  create: () => Promise<Store> | Store
  /** Waits until `milliseconds` have passed for the store (real sleep, or advancing a fake clock). */
  elapse: (milliseconds: number) => Promise<void>
}

/**
 * Defines the behaviour every {@link Store} must have, as tests in your runner: atomic claims
 * under concurrency that tell in-flight from spent, owner-checked commit and release, claim
 * values, TTL expiry (a commit never shortens it), counters, revocation keys and token
 * buckets. Run it against your own Store implementation.
 *
 * @example
 * import { describe, expect, test } from 'vitest'
 * defineStoreConformance({ describe, test, expect }, { name: 'redis', create: () => createRedisStore({ url }), elapse: sleep })
 */
export function defineStoreConformance(
  runner: ConformanceRunner,
  options: DefineStoreConformanceOptions,
): void {
  const { describe, test, expect } = runner
  const withStore = async (body: (store: Store) => Promise<void>): Promise<void> => {
    const store = await options.create()
    try {
      await body(store)
    } finally {
      await store.close?.()
    }
  }
  const unique = (label: string): string => `conformance:${label}:${crypto.randomUUID()}`
  const tokenOf = (result: ClaimResult): string => {
    if (!result.claimed) throw new Error(`Expected a new claim, got one ${result.state}.`)
    return result.token
  }
  const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => 'resolved',
      (error: unknown) => (TollgateError.is(error) ? error.code : error),
    )

  describe(`Store conformance: ${options.name}`, () => {
    test('claim: the first claim wins and gets a token; later claims see it in flight with its value', () =>
      withStore(async (store) => {
        const key = unique('claim')
        const first = await store.claim(key, { ttlSeconds: 60, value: 'payer:0xabc' })
        expect(first.claimed).toBe(true)
        expect(first.claimed && first.token).toBeTypeOf('string')
        const second = await store.claim(key, { ttlSeconds: 60 })
        expect(second.claimed).toBe(false)
        expect(!second.claimed && second.state).toBe('in_flight')
        expect(!second.claimed && second.value).toBe('payer:0xabc')
      }))

    test('claim: 100 concurrent claims of one key, exactly one wins, the others see it in flight', () =>
      withStore(async (store) => {
        const key = unique('race')
        const results = await Promise.all(
          Array.from({ length: 100 }, () => store.claim(key, { ttlSeconds: 60 })),
        )
        expect(results.filter((result) => result.claimed).length).toBe(1)
        expect(results.filter((result) => !result.claimed && result.state === 'in_flight').length).toBe(99)
      }))

    test('commit: marks the claim spent; later claims see it spent with the committed value', () =>
      withStore(async (store) => {
        const key = unique('commit')
        const token = tokenOf(await store.claim(key, { ttlSeconds: 60, value: 'first' }))
        expect(await store.commit(key, token, { ttlSeconds: 60 })).toBe(true)
        const kept = await store.claim(key, { ttlSeconds: 60 })
        expect(!kept.claimed && kept.state).toBe('spent')
        expect(!kept.claimed && kept.value).toBe('first')
        // The owner may commit again to update the value (say, once a settlement is known).
        const value = `0xhash|with|bars\nand a newline, ünïcode and ${'x'.repeat(60_000)}`
        expect(await store.commit(key, token, { ttlSeconds: 60, value })).toBe(true)
        const updated = await store.claim(key, { ttlSeconds: 60 })
        expect(!updated.claimed && updated.state).toBe('spent')
        expect(!updated.claimed && updated.value).toBe(value)
      }))

    test('commit: only the owner token commits', () =>
      withStore(async (store) => {
        const key = unique('commit-owner')
        const token = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
        expect(await store.commit(key, 'someone-else', { ttlSeconds: 60, value: 'forged' })).toBe(false)
        expect(await store.commit(unique('absent'), token, { ttlSeconds: 60 })).toBe(false)
        const held = await store.claim(key, { ttlSeconds: 60 })
        expect(!held.claimed && held.state).toBe('in_flight')
        expect(!held.claimed && held.value).toBe('')
      }))

    test('release: only the owner token frees an in-flight claim', () =>
      withStore(async (store) => {
        const key = unique('release')
        const token = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
        expect(await store.release(key, 'someone-else')).toBe(false)
        expect((await store.claim(key, { ttlSeconds: 60 })).claimed).toBe(false)
        expect(await store.release(key, token)).toBe(true)
        expect(await store.release(key, token)).toBe(false)
        expect((await store.claim(key, { ttlSeconds: 60 })).claimed).toBe(true)
      }))

    test('release: a stale token cannot free a newer claim', () =>
      withStore(async (store) => {
        const key = unique('stale')
        const first = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
        await store.release(key, first)
        const second = await store.claim(key, { ttlSeconds: 60 })
        expect(await store.release(key, first)).toBe(false)
        expect(await store.commit(key, first, { ttlSeconds: 60 })).toBe(false)
        expect(second.claimed).toBe(true)
        expect((await store.claim(key, { ttlSeconds: 60 })).claimed).toBe(false)
      }))

    test('release: a spent claim is final, even for its own token', () =>
      withStore(async (store) => {
        const key = unique('final')
        const token = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
        await store.commit(key, token, { ttlSeconds: 60 })
        expect(await store.release(key, token)).toBe(false)
        const held = await store.claim(key, { ttlSeconds: 60 })
        expect(!held.claimed && held.state).toBe('spent')
      }))

    test(
      'claim: expires after its TTL, never before',
      () =>
        withStore(async (store) => {
          // Only bounds that a slow machine cannot break: a long TTL is still held after a short
          // wait, and a short TTL is gone after a wait longer than itself.
          const held = unique('ttl-held')
          const expiring = unique('ttl-expiring')
          await store.claim(held, { ttlSeconds: 60 })
          await store.claim(expiring, { ttlSeconds: 1 })
          await options.elapse(1_300)
          expect((await store.claim(held, { ttlSeconds: 1 })).claimed).toBe(false)
          expect((await store.claim(expiring, { ttlSeconds: 1 })).claimed).toBe(true)
        }),
      10_000,
    )

    test(
      'commit: a spent entry lives its commit TTL, and a commit never shortens a claim',
      () =>
        withStore(async (store) => {
          const extended = unique('extended')
          const shortened = unique('shortened')
          // The claim's own TTL leaves room for a slow machine between the claim and the commit.
          const extendedToken = tokenOf(await store.claim(extended, { ttlSeconds: 3 }))
          const shortenedToken = tokenOf(await store.claim(shortened, { ttlSeconds: 60 }))
          expect(await store.commit(extended, extendedToken, { ttlSeconds: 60 })).toBe(true)
          expect(await store.commit(shortened, shortenedToken, { ttlSeconds: 1 })).toBe(true)
          await options.elapse(3_300)
          for (const key of [extended, shortened]) {
            const held = await store.claim(key, { ttlSeconds: 60 })
            expect(!held.claimed && held.state).toBe('spent')
          }
        }),
      10_000,
    )

    test('renew: only the owner token renews, and only while the claim is in flight', () =>
      withStore(async (store) => {
        if (store.renew === undefined) return
        const key = unique('renew-owner')
        const token = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
        expect(await store.renew(key, 'someone-else', 60)).toBe(false)
        expect(await store.renew(key, token, 60)).toBe(true)
        expect(await store.commit(key, token, { ttlSeconds: 60 })).toBe(true)
        // Spent is final: a renewal cannot turn it back, and the entry is still spent.
        expect(await store.renew(key, token, 60)).toBe(false)
        const held = await store.claim(key, { ttlSeconds: 60 })
        expect(!held.claimed && held.state).toBe('spent')
        const released = unique('renew-released')
        const gone = tokenOf(await store.claim(released, { ttlSeconds: 60 }))
        expect(await store.release(released, gone)).toBe(true)
        expect(await store.renew(released, gone, 60)).toBe(false)
        // Renewing a key nobody holds never creates it.
        expect((await store.claim(released, { ttlSeconds: 60 })).claimed).toBe(true)
      }))

    test(
      'renew: a renewed lease outlives its first TTL; an unrenewed one lapses and a stale token cannot renew it back',
      () =>
        withStore(async (store) => {
          if (store.renew === undefined) return
          const renewed = unique('lease-renewed')
          const lapsed = unique('lease-lapsed')
          const renewedToken = tokenOf(await store.claim(renewed, { ttlSeconds: 1 }))
          const lapsedToken = tokenOf(await store.claim(lapsed, { ttlSeconds: 1 }))
          expect(await store.renew(renewed, renewedToken, 60)).toBe(true)
          await options.elapse(1_300)
          const held = await store.claim(renewed, { ttlSeconds: 60 })
          expect(!held.claimed && held.state).toBe('in_flight')
          // The lapsed lease frees the key: a new holder claims it, and the old token is refused.
          const next = await store.claim(lapsed, { ttlSeconds: 60 })
          expect(next.claimed).toBe(true)
          expect(await store.renew(lapsed, lapsedToken, 60)).toBe(false)
          expect(await store.commit(lapsed, lapsedToken, { ttlSeconds: 60 })).toBe(false)
          const still = await store.claim(lapsed, { ttlSeconds: 60 })
          expect(!still.claimed && still.state).toBe('in_flight')
        }),
      10_000,
    )

    test(
      'renew: never shortens a claim',
      () =>
        withStore(async (store) => {
          if (store.renew === undefined) return
          const key = unique('renew-shorter')
          const token = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
          expect(await store.renew(key, token, 1)).toBe(true)
          await options.elapse(1_300)
          const held = await store.claim(key, { ttlSeconds: 60 })
          expect(!held.claimed && held.state).toBe('in_flight')
        }),
      10_000,
    )

    test('error: claim and commit refuse a value over 65,536 characters with config_invalid', () =>
      withStore(async (store) => {
        const key = unique('too-long')
        const value = 'x'.repeat(65_537)
        expect(await codeOf(store.claim(key, { ttlSeconds: 60, value }))).toBe('config_invalid')
        const token = tokenOf(await store.claim(key, { ttlSeconds: 60 }))
        expect(await codeOf(store.commit(key, token, { ttlSeconds: 60, value }))).toBe('config_invalid')
      }))

    test('increment: counts atomically from 1', () =>
      withStore(async (store) => {
        const key = unique('count')
        const values = await Promise.all(Array.from({ length: 50 }, () => store.increment(key, 60)))
        expect(Math.max(...values)).toBe(50)
        expect(new Set(values).size).toBe(50)
      }))

    test(
      'put/has: revocation keys live for their TTL',
      () =>
        withStore(async (store) => {
          const kept = unique('revoked-kept')
          const key = unique('revoked')
          expect(await store.has(key)).toBe(false)
          await store.put(kept, 60)
          await store.put(key, 1)
          expect(await store.has(kept)).toBe(true)
          await options.elapse(1_300)
          expect(await store.has(kept)).toBe(true)
          expect(await store.has(key)).toBe(false)
        }),
      10_000,
    )

    test(
      'take: a bucket allows its burst, then refuses with a retry time, then refills',
      () =>
        withStore(async (store) => {
          const key = unique('bucket')
          const bucket = { capacity: 3, refillPerSecond: 5 }
          const results = await Promise.all(Array.from({ length: 5 }, () => store.take(key, bucket)))
          expect(results.filter((result) => result.allowed).length).toBe(3)
          const refused = results.find((result) => !result.allowed)
          expect(refused?.retryAfterSeconds).toBeGreaterThan(0)
          await options.elapse(450)
          expect((await store.take(key, bucket)).allowed).toBe(true)
        }),
      10_000,
    )
  })
}
