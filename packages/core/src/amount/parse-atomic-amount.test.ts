import { describe, expect, test } from 'vitest'
import { MAX_UINT256 } from './constants.js'
import { parseAtomicAmount } from './parse-atomic-amount.js'

describe('parseAtomicAmount', () => {
  test('default', () => {
    expect(parseAtomicAmount('10000')).toBe(10_000n)
    expect(parseAtomicAmount('0')).toBe(0n)
    expect(parseAtomicAmount(MAX_UINT256.toString())).toBe(MAX_UINT256)
  })

  test.each([['01'], ['1.0'], ['-1'], ['+1'], [''], [' 1'], ['1e3'], ['0x1']])(
    'error: %j is not canonical',
    (value) => {
      expect(() => parseAtomicAmount(value)).toThrow(expect.objectContaining({ code: 'amount_invalid' }))
    },
  )

  test('error: above 2^256 - 1', () => {
    expect(() => parseAtomicAmount((MAX_UINT256 + 1n).toString())).toThrow(
      expect.objectContaining({ code: 'amount_out_of_range' }),
    )
    expect(() => parseAtomicAmount('9'.repeat(79))).toThrow(
      expect.objectContaining({ code: 'amount_invalid' }),
    )
  })
})
