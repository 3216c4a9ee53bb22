import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import {
  base64ToBytes,
  base64UrlToBytes,
  bytesToBase64,
  bytesToBase64Url,
  bytesToUtf8,
  utf8ToBytes,
} from './base64.js'

describe('base64', () => {
  test('default', () => {
    expect(bytesToBase64(utf8ToBytes('{"a":1}'))).toBe('eyJhIjoxfQ==')
    expect(bytesToUtf8(base64ToBytes('eyJhIjoxfQ==')!)).toBe('{"a":1}')
    expect(bytesToBase64Url(new Uint8Array([251, 255]))).toBe('-_8')
  })

  test.each([['eyJhIjoxfQ'], ['eyJhIjoxfQ=='.replace('Q', 'R')], ['ey J'], ['****'], ['eyJhIjoxfQ=']])(
    'error: %j is not canonical padded base64',
    (text) => {
      expect(base64ToBytes(text)).toBeUndefined()
    },
  )

  test('error: invalid UTF-8', () => {
    expect(bytesToUtf8(new Uint8Array([0xff, 0xfe]))).toBeUndefined()
  })

  property.prop([fc.uint8Array({ maxLength: 300 })])('property: round trips', (bytes) => {
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes)
    expect(base64UrlToBytes(bytesToBase64Url(bytes))).toEqual(bytes)
  })
})
