import { describe, expect, test } from 'vitest'
import { unixSeconds } from './unix-seconds.js'

describe('unixSeconds', () => {
  test('default', () => {
    expect(unixSeconds(() => 1_700_000_000_999)).toBe(1_700_000_000)
    expect(Math.abs(unixSeconds() - Date.now() / 1000)).toBeLessThan(2)
  })

  test.each([[Number.NaN], [Number.POSITIVE_INFINITY], [-1], ['1700000000000']])(
    'error: a clock returning %j',
    (value) => {
      expect(() => unixSeconds(() => value as number)).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      )
    },
  )
})
