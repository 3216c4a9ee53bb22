import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { hmacSha256 } from './hmac-sha256.js'

const encoder = new TextEncoder()
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
const fromHex = (text: string) => new Uint8Array(text.match(/../g)!.map((pair) => Number.parseInt(pair, 16)))

async function subtleHmac(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, new Uint8Array(message)))
}

describe('hmacSha256', () => {
  // RFC 4231 test cases 1, 2, 6 and 7.
  test.each([
    [
      '0b'.repeat(20),
      hex(encoder.encode('Hi There')),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    ],
    [
      hex(encoder.encode('Jefe')),
      hex(encoder.encode('what do ya want for nothing?')),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      'aa'.repeat(131),
      hex(encoder.encode('Test Using Larger Than Block-Size Key - Hash Key First')),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      'aa'.repeat(131),
      hex(
        encoder.encode(
          'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
        ),
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ])('default: RFC 4231 (key %s)', (key, message, mac) => {
    expect(hex(hmacSha256(fromHex(key), fromHex(message)))).toBe(mac)
  })

  property.prop([fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.uint8Array({ maxLength: 300 })])(
    'property: equals crypto.subtle HMAC-SHA256',
    async (key, message) => {
      expect(hmacSha256(key, message)).toEqual(await subtleHmac(key, message))
    },
  )
})
