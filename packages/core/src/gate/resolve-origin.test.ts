import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { resolveOrigin } from './resolve-origin.js'

const noHost = { get: () => null }
const originOf = (url: string) => {
  try {
    return resolveOrigin(undefined, { method: 'GET', url, headers: noHost })
  } catch (error) {
    return (error as { code?: string }).code
  }
}

// What `new URL` says, parsed afresh each time.
const reference = (url: string) => {
  try {
    const parsed = new URL(url)
    const origin = parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin
    return parsed.host === '' ? 'host_invalid' : origin
  } catch {
    return 'host_invalid'
  }
}

describe('resolveOrigin', () => {
  test('default', () => {
    expect(originOf('http://API.example.com:80/a?q=1')).toBe('http://api.example.com')
  })

  test('behavior: publicUrl wins over the request URL', () => {
    expect(
      resolveOrigin('https://api.example.com', { method: 'GET', url: 'http://x/a', headers: noHost }),
    ).toBe('https://api.example.com')
  })

  test('behavior: the same authority gives the same origin, whatever follows it', () => {
    expect(originOf('http://127.0.0.1:4000/a')).toBe('http://127.0.0.1:4000')
    expect(originOf('http://127.0.0.1:4000?b')).toBe('http://127.0.0.1:4000')
    expect(originOf('http://127.0.0.1:4000\\c')).toBe('http://127.0.0.1:4000')
    expect(originOf('http://127.0.0.1:40000/a')).toBe('http://127.0.0.1:40000')
    expect(originOf('http://127.0.0.1:4000/a')).toBe('http://127.0.0.1:4000')
    expect(originOf('http://a.example/x')).toBe('http://a.example')
    expect(originOf('http://a.example.evil/x')).toBe('http://a.example.evil')
  })

  test('behavior: an empty or blank authority is parsed with the rest of the URL', () => {
    expect(originOf('http:///a.example/x')).toBe('http://a.example')
    expect(originOf('http:///b.example/x')).toBe('http://b.example')
    expect(originOf('http://\t/c.example/x')).toBe('http://c.example')
    expect(originOf('http://\t/d.example/x')).toBe('http://d.example')
    expect(originOf('http://e.example\u0000')).toBe('http://e.example')
    expect(originOf('http://e.example\u0000/x')).toBe('host_invalid')
  })

  test('error: an invalid Host header', () => {
    const headers = { get: () => 'bad host' }
    expect(() => resolveOrigin(undefined, { method: 'GET', url: 'http://x/', headers })).toThrow(
      expect.objectContaining({ code: 'host_invalid' }),
    )
  })

  const authorityChar = fc.constantFrom(
    'a',
    'B',
    '1',
    '.',
    ':',
    '@',
    '[',
    ']',
    '%',
    '/',
    '\\',
    '?',
    '#',
    ' ',
    '\t',
    '\n',
    '\u0000',
    'é',
  )
  property.prop([
    fc.array(
      fc.tuple(
        fc.constantFrom('http://', 'https://', 'HTTP://', 'mcp://', 'http:/'),
        fc.array(authorityChar, { maxLength: 12 }),
        fc.constantFrom('', '/p', '?q', '#f', '/a b', '\\x'),
      ),
      { minLength: 1, maxLength: 20 },
    ),
  ])('property: the same origin as a fresh parse, request after request', (parts) => {
    for (const [scheme, authority, rest] of parts) {
      const url = `${scheme}${authority.join('')}${rest}`
      expect([url, originOf(url)]).toEqual([url, reference(url)])
    }
  })
})
