import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { parseAuthChallenges } from './parse-auth-challenges.js'
import { quoteAuthParam } from './quote-auth-param.js'

describe('parseAuthChallenges', () => {
  test('default: several challenges of several schemes in one field', () => {
    const parsed = parseAuthChallenges(
      'Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\"", Payment id="a b", method=evm',
    )
    expect(parsed.map((challenge) => challenge.scheme)).toEqual(['Basic', 'Newauth', 'Payment'])
    expect({ ...parsed[1]?.params }).toEqual({ realm: 'apps', type: '1', title: 'Login to "apps"' })
    expect({ ...parsed[2]?.params }).toEqual({ id: 'a b', method: 'evm' })
  })

  test('behavior: token68, bare schemes, empty list elements and odd whitespace', () => {
    const parsed = parseAuthChallenges(' ,Bearer abc.DEF~+/==  , Negotiate,,  Payment\tID = "x" ,realm=""  ,')
    expect(parsed.map((challenge) => [challenge.scheme, challenge.token68])).toEqual([
      ['Bearer', 'abc.DEF~+/=='],
      ['Negotiate', undefined],
      ['Payment', undefined],
    ])
    expect({ ...parsed[2]?.params }).toEqual({ id: 'x', realm: '' })
  })

  test('behavior: a repeated parameter is reported, the first value kept', () => {
    const [challenge] = parseAuthChallenges('Payment id="a", ID="b"')
    expect(challenge?.params.id).toBe('a')
    expect(challenge?.duplicates).toEqual(['id'])
  })

  test('behavior: parameter names that look like object keys are plain data', () => {
    const [challenge] = parseAuthChallenges('Payment __proto__="x", constructor=y')
    expect(Object.getOwnPropertyDescriptor(challenge?.params, '__proto__')?.value).toBe('x')
    expect(challenge?.params.constructor).toBe('y')
  })

  test.each([
    ['Payment id="open', 'a closing quote'],
    ['Payment id="a\u0001"', 'printable character'],
    ['Payment id="a\\\u0000"', 'escapable'],
    ['Payment a=b, id=', 'a parameter value'],
    ['Payment id="a" realm="b"', 'a comma'],
    ['Payment id=a;b', 'a comma'],
    ['"Payment"', 'an auth scheme'],
    ['Payment@ id=a', 'a space after the scheme'],
    ['Payment =a', 'a parameter name'],
  ])('error: %j is refused (%s)', (value, expected) => {
    expect(() => parseAuthChallenges(value)).toThrow(
      expect.objectContaining({ code: 'mpp_challenge_malformed' }),
    )
    expect(() => parseAuthChallenges(value)).toThrow(new RegExp(expected))
  })

  property.prop([fc.string({ maxLength: 60, unit: 'binary-ascii' })])(
    'property: quoteAuthParam round trips any printable value',
    (raw) => {
      const value = raw.replace(/[^\t\x20-\x7e]/g, '')
      const [challenge] = parseAuthChallenges(`Payment v=${quoteAuthParam(value)}, w=1`)
      expect(challenge?.params.v).toBe(value)
      expect(challenge?.params.w).toBe('1')
    },
  )

  property.prop([fc.string({ maxLength: 200 })])(
    'property: random input only ever throws TollgateError',
    (value) => {
      try {
        parseAuthChallenges(value)
      } catch (error) {
        expect(TollgateError.is(error)).toBe(true)
      }
    },
  )
})
