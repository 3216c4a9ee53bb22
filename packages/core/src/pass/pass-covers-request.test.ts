import { describe, expect, test } from 'vitest'
import { passCoversRequest } from './pass-covers-request.js'
import type { PassScope } from './pass-payload.js'

describe('passCoversRequest', () => {
  test('default', () => {
    const pass = { scope: { routes: ['GET /weather/:city'], origin: 'https://api.example.com' } }
    expect(
      passCoversRequest(pass, { method: 'GET', url: 'https://api.example.com/weather/paris?units=si' }),
    ).toBe(true)
  })

  // [scope, method, url, covered]
  test.each<[PassScope, string, string, boolean]>([
    [{ routes: ['GET /a'] }, 'GET', 'https://x.dev/a', true],
    [{ routes: ['GET /a'] }, 'HEAD', 'https://x.dev/a/', true],
    [{ routes: ['GET /a'] }, 'POST', 'https://x.dev/a', false],
    [{ routes: ['GET /a'] }, 'GET', 'https://x.dev/b', false],
    [{ routes: ['GET /a'] }, 'GET', 'https://other.dev/a', true],
    [{ routes: ['GET /a', 'POST /b/**'] }, 'POST', 'https://x.dev/b/c/d', true],
    [{ routes: ['/a'], origin: 'https://x.dev' }, 'GET', 'https://x.dev/a', true],
    [{ routes: ['/a'], origin: 'https://x.dev' }, 'GET', 'https://x.dev:443/a', true],
    [{ routes: ['/a'], origin: 'https://x.dev' }, 'GET', 'http://x.dev/a', false],
    [{ routes: ['/a'], origin: 'https://x.dev' }, 'GET', 'https://x.dev:8443/a', false],
    [{ routes: ['/a'], origin: 'https://x.dev' }, 'GET', 'https://evil.x.dev/a', false],
    [{ routes: ['/a'], origin: 'https://x.dev' }, 'GET', 'https://x.dev.evil.com/a', false],
    [{ routes: ['/a'] }, 'GET', '/a', false],
    [{ routes: ['not a pattern'] }, 'GET', 'https://x.dev/a', false],
  ])('behavior: %j covers %s %s: %s', (scope, method, url, covered) => {
    expect(passCoversRequest({ scope }, { method, url })).toBe(covered)
  })

  test('behavior: a malformed scope covers nothing', () => {
    expect(passCoversRequest({ scope: null as never }, { method: 'GET', url: 'https://x.dev/a' })).toBe(false)
    expect(
      passCoversRequest({ scope: { routes: 'GET /a' } as never }, { method: 'GET', url: 'https://x.dev/a' }),
    ).toBe(false)
  })
})
