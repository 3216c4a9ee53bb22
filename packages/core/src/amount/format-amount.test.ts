import { describe, expect, test } from 'vitest'
import { MAX_UINT256 } from './constants.js'
import { formatAmount } from './format-amount.js'

describe('formatAmount', () => {
  test('default', () => {
    expect(formatAmount(50_000n, 6)).toBe('0.05')
    expect(formatAmount(1_000_000n, 6)).toBe('1')
    expect(formatAmount(0n, 6)).toBe('0')
    expect(formatAmount(1n, 18)).toBe('0.000000000000000001')
    expect(formatAmount(123n, 0)).toBe('123')
  })

  test('behavior: never uses exponent notation', () => {
    expect(formatAmount(MAX_UINT256, 0)).toBe(MAX_UINT256.toString())
    expect(formatAmount(10n ** 30n, 6)).toBe(`1${'0'.repeat(24)}`)
  })

  test('error: negative or too large', () => {
    expect(() => formatAmount(-1n, 6)).toThrow(expect.objectContaining({ code: 'amount_out_of_range' }))
    expect(() => formatAmount(MAX_UINT256 + 1n, 6)).toThrow(
      expect.objectContaining({ code: 'amount_out_of_range' }),
    )
  })

  test('error: not a bigint', () => {
    expect(() => formatAmount(5 as unknown as bigint, 6)).toThrow(
      expect.objectContaining({ code: 'amount_invalid' }),
    )
  })
})
