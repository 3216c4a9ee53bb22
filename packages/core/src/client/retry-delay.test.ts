import { describe, expect, test } from 'vitest'
import { retryDelay } from './retry-delay.js'

const base = {
  attempt: 0,
  retryAfter: null,
  baseMs: 250,
  maxMs: 10_000,
  now: Date.UTC(2026, 0, 1),
  random: () => 0.5,
}

describe('retryDelay', () => {
  test('default: exponential backoff with jitter', () => {
    expect(retryDelay(base)).toBe(187)
    expect(retryDelay({ ...base, attempt: 3 })).toBe(1500)
    expect(retryDelay({ ...base, attempt: 30, random: () => 0.999 })).toBeLessThanOrEqual(10_000)
  })

  test('behavior: Retry-After in seconds or as an HTTP date wins', () => {
    expect(retryDelay({ ...base, retryAfter: '3' })).toBe(3000)
    expect(retryDelay({ ...base, retryAfter: new Date(base.now + 2000).toUTCString() })).toBe(2000)
    expect(retryDelay({ ...base, retryAfter: new Date(base.now - 2000).toUTCString() })).toBe(0)
  })

  test('behavior: a Retry-After beyond the cap is not waited for', () => {
    expect(retryDelay({ ...base, retryAfter: '3600' })).toBeUndefined()
  })

  test('behavior: garbage Retry-After falls back to backoff', () => {
    expect(retryDelay({ ...base, retryAfter: 'soon' })).toBe(187)
  })
})
