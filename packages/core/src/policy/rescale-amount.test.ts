import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { rescaleAmount } from './rescale-amount.js'

describe('rescaleAmount', () => {
  test('default', () => {
    expect(rescaleAmount(1_000n, 6, 18, 'up')).toBe(1_000_000_000_000_000n)
    expect(rescaleAmount(5n, 6, 6, 'down')).toBe(5n)
  })

  test('behavior: scaling down rounds as asked', () => {
    expect(rescaleAmount(1n, 20, 18, 'up')).toBe(1n)
    expect(rescaleAmount(1n, 20, 18, 'down')).toBe(0n)
    expect(rescaleAmount(300n, 20, 18, 'up')).toBe(3n)
    expect(rescaleAmount(301n, 20, 18, 'up')).toBe(4n)
  })

  property.prop([fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.nat(30), fc.nat(30)])(
    'property: rounding up never undervalues and rounding down never overvalues',
    (amount, from, to) => {
      const exact = amount * 10n ** BigInt(Math.max(from, to) - from)
      const scale = 10n ** BigInt(Math.max(from, to) - to)
      expect(rescaleAmount(amount, from, to, 'up') * scale).toBeGreaterThanOrEqual(exact)
      expect(rescaleAmount(amount, from, to, 'down') * scale).toBeLessThanOrEqual(exact)
      expect(rescaleAmount(rescaleAmount(amount, from, from + to, 'up'), from + to, from, 'down')).toBe(
        amount,
      )
    },
  )
})
