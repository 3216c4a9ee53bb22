import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { createMemoryStore } from '../store/memory-store.js'
import type { Store } from '../store/types.js'
import { claimPayment } from './claim-payment.js'

const options = { ttlSeconds: 60, details: { network: 'eip155:1' } }

async function refusalOf(promise: Promise<unknown>): Promise<TollgateError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!TollgateError.is(error)) throw new Error(`Expected a TollgateError, got ${String(error)}.`)
  return error
}

describe('claimPayment', () => {
  test('default: holds every key in flight until committed, then they are spent', async () => {
    const store = createMemoryStore()
    const claim = await claimPayment(store, { ...options, keys: ['a', 'b'] })
    expect(claim.keys).toEqual(['a', 'b'])
    expect(await store.claim('a', { ttlSeconds: 60 })).toMatchObject({ claimed: false, state: 'in_flight' })
    await claim.commit('served')
    expect(await store.claim('b', { ttlSeconds: 60 })).toEqual({
      claimed: false,
      state: 'spent',
      value: 'served',
    })
  })

  test('error: an in-flight duplicate is payment_in_progress (409) with Retry-After, and takes nothing', async () => {
    const store = createMemoryStore()
    await claimPayment(store, { ...options, keys: ['held'] })
    const error = await refusalOf(claimPayment(store, { ...options, keys: ['free', 'held'] }))
    expect(error).toMatchObject({
      code: 'payment_in_progress',
      status: 409,
      retryAfter: 1,
      details: { network: 'eip155:1' },
    })
    // The free key it took on the way was given back.
    expect((await store.claim('free', { ttlSeconds: 60 })).claimed).toBe(true)
  })

  test('error: a spent payment is payment_already_used (402); what was taken on the way is spent too', async () => {
    const store = createMemoryStore()
    const first = await claimPayment(store, { ...options, keys: ['transaction'] })
    await first.commit()
    const second = await claimPayment(store, { ...options, keys: ['signer'] })
    const error = await refusalOf(second.add(['transaction', 'log']))
    expect(error).toMatchObject({ code: 'payment_already_used', status: 402 })
    // A replay is now refused at its first key, before any RPC.
    expect(await store.claim('signer', { ttlSeconds: 60 })).toMatchObject({ state: 'spent' })
    expect(await store.claim('log', { ttlSeconds: 60 })).toMatchObject({ state: 'spent' })
  })

  test('behavior: release frees only what is still in flight under this claim', async () => {
    const store = createMemoryStore()
    const claim = await claimPayment(store, { ...options, keys: ['x'] })
    await claim.add(['y'])
    await claim.release()
    expect((await store.claim('x', { ttlSeconds: 60 })).claimed).toBe(true)
    expect((await store.claim('y', { ttlSeconds: 60 })).claimed).toBe(true)
    // A late release of an old claim cannot free the new owner's keys.
    await claim.release()
    expect(await store.claim('x', { ttlSeconds: 60 })).toMatchObject({ claimed: false, state: 'in_flight' })
  })

  test('error: a store failure rejects with store_unavailable and frees the keys already taken', async () => {
    const memory = createMemoryStore()
    const store: Store = {
      ...memory,
      claim: (key, claimOptions) =>
        key === 'broken'
          ? Promise.reject(new TollgateError('store_unavailable', 'down', { retryAfter: 1 }))
          : memory.claim(key, claimOptions),
    }
    const error = await refusalOf(claimPayment(store, { ...options, keys: ['fine', 'broken'] }))
    expect(error.code).toBe('store_unavailable')
    expect((await memory.claim('fine', { ttlSeconds: 60 })).claimed).toBe(true)
  })
})
