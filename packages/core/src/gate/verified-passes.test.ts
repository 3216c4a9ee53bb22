import { describe, expect, test } from 'vitest'
import type { PassPayload } from '../pass/pass-payload.js'
import { createVerifiedPasses } from './verified-passes.js'

const payload = (jti: string) => ({ jti }) as unknown as PassPayload
const tail = 'S'.repeat(43)

describe('createVerifiedPasses', () => {
  test('default: a remembered token gives its payload back, an unknown one nothing', () => {
    const passes = createVerifiedPasses()
    passes.set(`v1.aaa.${tail}`, payload('a'))
    expect(passes.get(`v1.aaa.${tail}`)?.payload).toEqual({ jti: 'a' })
    expect(passes.get(`v1.bbb.${'T'.repeat(43)}`)).toBeUndefined()
  })

  test('behavior: a token that shares a remembered token tail (its HMAC) but not its payload is unknown', () => {
    const passes = createVerifiedPasses()
    passes.set(`v1.aaa.${tail}`, payload('a'))
    expect(passes.get(`v1.forged.${tail}`)).toBeUndefined()
    // The remembered token still counts: the forgery displaced nothing.
    expect(passes.get(`v1.aaa.${tail}`)?.payload).toEqual({ jti: 'a' })
  })

  test('edge: past its bound, the oldest token is forgotten first', () => {
    const passes = createVerifiedPasses(2)
    passes.set(`one.${'1'.repeat(40)}`, payload('1'))
    passes.set(`two.${'2'.repeat(40)}`, payload('2'))
    passes.set(`three.${'3'.repeat(40)}`, payload('3'))
    expect(passes.get(`one.${'1'.repeat(40)}`)).toBeUndefined()
    expect(passes.get(`two.${'2'.repeat(40)}`)?.payload).toEqual({ jti: '2' })
    expect(passes.get(`three.${'3'.repeat(40)}`)?.payload).toEqual({ jti: '3' })
  })
})
