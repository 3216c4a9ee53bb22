import type { Store } from '../store/types.js'

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
 * under concurrency, owner-checked release, TTL expiry, counters, revocation keys and token
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

  describe(`Store conformance: ${options.name}`, () => {
    test('claim: the first claim wins and gets a token; later claims get undefined', () =>
      withStore(async (store) => {
        const key = unique('claim')
        const token = await store.claim(key, 60)
        expect(token).toBeTypeOf('string')
        expect(await store.claim(key, 60)).toBeUndefined()
      }))

    test('claim: 100 concurrent claims of one key, exactly one wins', () =>
      withStore(async (store) => {
        const key = unique('race')
        const results = await Promise.all(Array.from({ length: 100 }, () => store.claim(key, 60)))
        expect(results.filter((token) => token !== undefined).length).toBe(1)
      }))

    test('release: only the owner token frees a claim', () =>
      withStore(async (store) => {
        const key = unique('release')
        const token = (await store.claim(key, 60)) as string
        await store.release(key, 'someone-else')
        expect(await store.claim(key, 60)).toBeUndefined()
        await store.release(key, token)
        expect(await store.claim(key, 60)).toBeTypeOf('string')
      }))

    test('release: a stale token cannot free a newer claim', () =>
      withStore(async (store) => {
        const key = unique('stale')
        const first = (await store.claim(key, 60)) as string
        await store.release(key, first)
        const second = await store.claim(key, 60)
        await store.release(key, first)
        expect(second).toBeTypeOf('string')
        expect(await store.claim(key, 60)).toBeUndefined()
      }))

    test(
      'claim: expires after its TTL, never before',
      () =>
        withStore(async (store) => {
          const key = unique('ttl')
          await store.claim(key, 1)
          await options.elapse(300)
          expect(await store.claim(key, 1)).toBeUndefined()
          await options.elapse(1_000)
          expect(await store.claim(key, 1)).toBeTypeOf('string')
        }),
      10_000,
    )

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
          const key = unique('revoked')
          expect(await store.has(key)).toBe(false)
          await store.put(key, 1)
          expect(await store.has(key)).toBe(true)
          await options.elapse(1_300)
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
