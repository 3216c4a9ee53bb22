import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { MAX_UINT256 } from './constants.js'
import { formatAmount } from './format-amount.js'
import { parseAmount } from './parse-amount.js'

function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (TollgateError.is(error)) return error.code
    throw error
  }
  throw new Error('expected a TollgateError')
}

describe('parseAmount', () => {
  test('default', () => {
    expect(parseAmount('0.05', 6)).toBe(50_000n)
    expect(parseAmount('1', 6)).toBe(1_000_000n)
    expect(parseAmount('1.5', 18)).toBe(1_500_000_000_000_000_000n)
    expect(parseAmount('0', 0)).toBe(0n)
    expect(parseAmount(12, 2)).toBe(1200n)
  })

  test('behavior: trailing fraction zeros are not extra precision', () => {
    expect(parseAmount('1.50', 1)).toBe(15n)
    expect(parseAmount('2.000000000', 0)).toBe(2n)
  })

  test('behavior: leading zeros are accepted and mean nothing', () => {
    expect(parseAmount('007.5', 1)).toBe(75n)
  })

  test('behavior: the largest representable amount parses', () => {
    expect(parseAmount(MAX_UINT256.toString(), 0)).toBe(MAX_UINT256)
  })

  test('error: more fraction digits than the asset has', () => {
    expect(() => parseAmount('0.0000001', 6)).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Amount "0.0000001" has 7 fraction digits but the asset has only 6; it would have to be rounded.]`,
    )
    expect(codeOf(() => parseAmount('0.1', 0))).toBe('amount_precision_exceeded')
  })

  test.each([
    ['1e6'],
    ['1E-6'],
    ['-1'],
    ['+1'],
    [' 1'],
    ['1 '],
    [''],
    ['.5'],
    ['5.'],
    ['1,5'],
    ['0x10'],
    ['١٢'],
    ['１'],
    ['Infinity'],
    ['NaN'],
    ['1_000'],
  ])('error: %j is not a plain decimal', (value) => {
    expect(codeOf(() => parseAmount(value, 6))).toBe('amount_invalid')
  })

  test.each([[0.05], [-1], [Number.MAX_SAFE_INTEGER + 1], [Number.NaN], [Number.POSITIVE_INFINITY], [1e21]])(
    'error: the number %d is not a safe non-negative integer',
    (value) => {
      expect(codeOf(() => parseAmount(value, 6))).toBe('amount_invalid')
    },
  )

  test('error: above 2^256 - 1', () => {
    expect(codeOf(() => parseAmount((MAX_UINT256 + 1n).toString(), 0))).toBe('amount_out_of_range')
    expect(codeOf(() => parseAmount('2', 77))).toBe('amount_out_of_range')
  })

  test('error: bad decimals', () => {
    expect(codeOf(() => parseAmount('1', -1))).toBe('amount_invalid')
    expect(codeOf(() => parseAmount('1', 1.5))).toBe('amount_invalid')
    expect(codeOf(() => parseAmount('1', 78))).toBe('amount_invalid')
  })

  test('error: oversized input is rejected before any work', () => {
    expect(codeOf(() => parseAmount('1'.repeat(10_000), 6))).toBe('amount_invalid')
  })

  test('error: non-string input', () => {
    expect(codeOf(() => parseAmount(null as unknown as string, 6))).toBe('amount_invalid')
    expect(codeOf(() => parseAmount(1n as unknown as string, 6))).toBe('amount_invalid')
  })

  // A canonical decimal: no leading zeros, no trailing fraction zeros, at most `decimals` fraction digits.
  const canonical = fc.integer({ min: 0, max: 36 }).chain((decimals) =>
    fc
      .tuple(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: decimals }),
      )
      .map(([whole, digits]) => {
        const fraction = digits.replace(/0+$/, '')
        return { decimals, text: fraction.length > 0 ? `${whole}.${fraction}` : `${whole}` }
      }),
  )

  property.prop([canonical])(
    'property: formatAmount(parseAmount(x, d), d) === x for d in 0..36',
    ({ decimals, text }) => {
      expect(formatAmount(parseAmount(text, decimals), decimals)).toBe(text)
    },
  )

  property.prop([fc.integer({ min: 0, max: 36 }), fc.bigInt({ min: 0n, max: MAX_UINT256 })])(
    'property: parseAmount(formatAmount(a, d), d) === a',
    (decimals, atomic) => {
      expect(parseAmount(formatAmount(atomic, decimals), decimals)).toBe(atomic)
    },
  )

  property.prop([fc.string({ maxLength: 200 }), fc.integer({ min: -2, max: 80 })])(
    'property: any string either parses or throws a TollgateError',
    (value, decimals) => {
      try {
        const atomic = parseAmount(value, decimals)
        expect(atomic).toBeGreaterThanOrEqual(0n)
      } catch (error) {
        expect(TollgateError.is(error)).toBe(true)
      }
    },
  )

  property.prop([fc.double()])(
    'property: any number either parses exactly or throws a TollgateError',
    (value) => {
      try {
        expect(parseAmount(value, 0)).toBe(BigInt(value))
      } catch (error) {
        expect(TollgateError.is(error)).toBe(true)
      }
    },
  )
})
