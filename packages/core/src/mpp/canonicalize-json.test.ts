import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { canonicalizeJson } from './canonicalize-json.js'
import { decodeBase64UrlJson } from './decode-base64url-json.js'
import { encodeBase64UrlJson } from './encode-base64url-json.js'

describe('canonicalizeJson', () => {
  test('default: keys sorted, no whitespace', () => {
    expect(canonicalizeJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}',
    )
  })

  test('behavior: RFC 8785 sorts by UTF-16 code units and writes numbers as ECMAScript does', () => {
    // RFC 8785 section 3.2.3: "\u20ac" (euro) sorts after "\r" and before the emoji's surrogates.
    expect(canonicalizeJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4 })).toBe(
      '{"\\r":2,"1":4,"€":1,"😀":3}',
    )
    expect(canonicalizeJson([1e21, 0.000001, -0, 1.5e-7, 333333333.3333333])).toBe(
      '[1e+21,0.000001,0,1.5e-7,333333333.3333333]',
    )
  })

  test('behavior: undefined members are left out, bigints and non-finite numbers refused', () => {
    expect(canonicalizeJson({ a: undefined, b: 1 })).toBe('{"b":1}')
    for (const bad of [1n, Number.NaN, Number.POSITIVE_INFINITY, () => 1, { deep: 1n }]) {
      expect(() => canonicalizeJson(bad)).toThrow(TollgateError)
    }
    let deep: unknown = 1
    for (let level = 0; level < 40; level++) deep = [deep]
    expect(() => canonicalizeJson(deep)).toThrow(/nests more than 32/)
  })

  property.prop([fc.jsonValue({ maxDepth: 6 })])(
    'property: equal values encode alike and round trip',
    (value) => {
      const text = canonicalizeJson(value)
      const reparsed = JSON.parse(text) as unknown
      expect(canonicalizeJson(reparsed)).toBe(text)
      expect(
        canonicalizeJson(
          decodeBase64UrlJson('value', encodeBase64UrlJson(value), 1 << 20, 'invalid_payload'),
        ),
      ).toBe(text)
    },
  )
})

describe('decodeBase64UrlJson', () => {
  test.each([
    ['', 'empty'],
    ['eyJhIjoxfQ==', 'padding'],
    ['eyJhIjox+Q', 'standard alphabet'],
    ['bm90IGpzb24', 'not JSON'],
    ['_w', 'not UTF-8'],
  ])('error: %s (%s) is refused with the given code', (text) => {
    expect(() => decodeBase64UrlJson('thing', text, 100, 'mpp_credential_malformed')).toThrow(
      expect.objectContaining({ code: 'mpp_credential_malformed' }),
    )
  })

  test('error: longer than the bound', () => {
    const text = encodeBase64UrlJson({ a: 'x'.repeat(200) })
    expect(() => decodeBase64UrlJson('thing', text, 100, 'mpp_receipt_malformed')).toThrow(/at most 100/)
  })
})
