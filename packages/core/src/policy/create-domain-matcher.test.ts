import { describe, expect, test } from 'vitest'
import { createDomainMatcher } from './create-domain-matcher.js'

describe('createDomainMatcher', () => {
  test('default', () => {
    const allowed = createDomainMatcher(['api.example.com'])
    expect(allowed('https://api.example.com/search?q=1')).toBe(true)
    expect(allowed('https://www.example.com/')).toBe(false)
  })

  test.each([
    ['https://api.example.com/', true],
    ['https://a.b.example.com/', true],
    ['https://example.com/', false],
    ['https://evil-example.com/', false],
    ['https://example.com.evil.com/', false],
    ['https://api.example.com.evil.com/', false],
    ['https://API.EXAMPLE.COM/', true],
    ['https://api.example.com./', true],
    ['https://api.example.com:8443/', true],
    ['http://api.example.com:80/', true],
    ['https://api.example.com@evil.com/', false],
    ['https://evil.com/?next=https://api.example.com/', false],
    ['https://evil.com/api.example.com', false],
    ['not a url', false],
    ['', false],
  ])('behavior: *.example.com against %s is %s', (url, expected) => {
    expect(createDomainMatcher(['*.example.com'])(url)).toBe(expected)
  })

  test('behavior: the apex needs its own exact entry', () => {
    const allowed = createDomainMatcher(['example.com', '*.example.com'])
    expect(allowed('https://example.com/')).toBe(true)
    expect(allowed('https://api.example.com/')).toBe(true)
    expect(allowed('https://evil-example.com/')).toBe(false)
  })

  test('behavior: patterns are normalised like URLs (case, trailing dot)', () => {
    const allowed = createDomainMatcher(['API.Example.COM.', '*.Example.ORG'])
    expect(allowed('https://api.example.com/')).toBe(true)
    expect(allowed('https://a.example.org/')).toBe(true)
  })

  test('behavior: international names compare in punycode, whichever form is written', () => {
    const unicode = createDomainMatcher(['bücher.example'])
    expect(unicode('https://xn--bcher-kva.example/')).toBe(true)
    expect(unicode('https://BÜCHER.example/')).toBe(true)
    const ascii = createDomainMatcher(['*.xn--bcher-kva.example'])
    expect(ascii('https://shop.bücher.example/')).toBe(true)
    // A look-alike in another script is a different host.
    expect(unicode('https://bucher.example/')).toBe(false)
  })

  test('behavior: empty labels never match a suffix', () => {
    const allowed = createDomainMatcher(['*.example.com'])
    expect(allowed('https://.example.com/')).toBe(false)
    expect(allowed('https://a..example.com/')).toBe(false)
  })

  test('behavior: IP literals', () => {
    const allowed = createDomainMatcher(['127.0.0.1', '[::1]'])
    expect(allowed('http://127.0.0.1:3000/')).toBe(true)
    expect(allowed('http://[::1]:3000/')).toBe(true)
    expect(allowed('http://127.0.0.2/')).toBe(false)
  })

  test('behavior: an empty list allows nothing', () => {
    expect(createDomainMatcher([])('https://api.example.com/')).toBe(false)
  })

  test('error: patterns that are not host names', () => {
    expect(() => createDomainMatcher(['https://api.example.com'])).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Allowed domain "https://api.example.com" must be a bare host name: no scheme, port, path or blanks (ports are ignored).]`,
    )
    expect(() => createDomainMatcher(['api.example.com:443'])).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    for (const pattern of ['*', '*example.com', 'api.*.example.com', '', 'a b.com', 'example.com/path']) {
      expect(() => createDomainMatcher([pattern])).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      )
    }
    expect(() => createDomainMatcher([42 as unknown as string])).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })
})
