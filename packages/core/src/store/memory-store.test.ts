import { describe, expect, test } from 'vitest'
import { defineStoreConformance } from '../test/store-conformance.js'
import { createMemoryStore } from './memory-store.js'

let clock = 1_000_000
defineStoreConformance(
  { describe, test, expect: expect as never },
  {
    name: 'memory',
    create: () => createMemoryStore({ now: () => clock }),
    elapse: async (milliseconds) => {
      clock += milliseconds
    },
  },
)

describe('createMemoryStore', () => {
  test('behavior: says it is not durable', () => {
    expect(createMemoryStore()).toMatchObject({ kind: 'memory', durable: false })
  })

  test('behavior: expired entries are swept, so memory stays bounded', async () => {
    let now = 0
    const store = createMemoryStore({ now: () => now })
    for (let index = 0; index < 5000; index++) {
      await store.claim(`key:${index}`, { ttlSeconds: 1 })
      now += 10
    }
    // Only entries claimed within the last second can still be live.
    expect(store.size()).toBeLessThanOrEqual(100 + 1024)
  })

  test('behavior: reads a bare v1 token as spent', async () => {
    const store = createMemoryStore()
    // A v1 entry (a bare token) is what `put` leaves too: any unknown format must never re-admit.
    await store.put('legacy', 60)
    expect(await store.claim('legacy', { ttlSeconds: 60 })).toEqual({
      claimed: false,
      state: 'spent',
      value: '',
    })
  })

  test('error: refuses claims when full, instead of forgetting spent entries', async () => {
    const store = createMemoryStore({ maxEntries: 2 })
    await store.claim('a', { ttlSeconds: 60 })
    await store.claim('b', { ttlSeconds: 60 })
    await expect(store.claim('c', { ttlSeconds: 60 })).rejects.toMatchObject({ code: 'store_unavailable' })
  })
})
