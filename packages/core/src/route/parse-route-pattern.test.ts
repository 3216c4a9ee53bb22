import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { parseRoutePattern } from './parse-route-pattern.js'

describe('parseRoutePattern', () => {
  test('default', () => {
    const route = parseRoutePattern('GET /weather/:city')
    expect(route.pattern).toBe('GET /weather/:city')
    expect(route.method).toBe('GET')
    expect(route.path).toBe('/weather/:city')
    expect(route.segments).toEqual([
      { type: 'literal', value: 'weather' },
      { type: 'param', name: 'city' },
    ])
    expect(route.match('GET', '/weather/paris')).toEqual({ city: 'paris' })
    expect(route.match('POST', '/weather/paris')).toBeUndefined()
  })

  test('behavior: a path alone matches any method', () => {
    const route = parseRoutePattern('/a/*/**')
    expect(route.method).toBe('*')
    expect(route.segments).toEqual([{ type: 'literal', value: 'a' }, { type: 'wildcard' }, { type: 'rest' }])
    expect(route.match('PATCH', '/a/b')).toEqual({})
  })

  // [pattern, method, pathname, params or undefined for no match]
  test.each<[string, string, string, Record<string, string> | undefined]>([
    ['/', 'GET', '/', {}],
    ['/', 'GET', '/a', undefined],
    ['GET /a', 'GET', '/a', {}],
    ['GET /a', 'GET', '/a/', {}],
    ['GET /a/', 'GET', '/a', {}],
    ['GET /a', 'GET', '/a//', undefined],
    // Literals ignore case, like Express's default routing: a differently-cased path is still priced.
    ['GET /a', 'GET', '/A', {}],
    ['GET /a', 'GET', '/a/b', undefined],
    ['GET /a/b', 'GET', '/a', undefined],
    ['GET /a', 'HEAD', '/a', {}],
    ['HEAD /a', 'GET', '/a', undefined],
    ['GET /a', 'get', '/a', {}],
    ['GET /a', 'POST', '/a', undefined],
    ['PROPFIND /a', 'propfind', '/a', undefined],
    ['* /a', 'PROPFIND', '/a', {}],
    ['/a/:id', 'GET', '/a/42', { id: '42' }],
    ['/a/:id', 'GET', '/a/', undefined],
    ['/a/:id', 'GET', '/a', undefined],
    ['/a/:id', 'GET', '/a//', undefined],
    ['/a/:id', 'GET', '/a/42/b', undefined],
    ['/a/:id', 'GET', '/a/new%20york', { id: 'new york' }],
    ['/a/:id', 'GET', '/a/x%2Fy', { id: 'x/y' }],
    ['/a/:id', 'GET', '/a/%E0%A4%A', undefined],
    ['/a/:id', 'GET', '/a/%ZZ', undefined],
    ['/a/:id/b/:other', 'GET', '/a/1/b/2', { id: '1', other: '2' }],
    ['/a/:__proto__', 'GET', '/a/1', { ['__proto__']: '1' }],
    ['/a/*', 'GET', '/a/b', {}],
    ['/a/*', 'GET', '/a', undefined],
    ['/a/*', 'GET', '/a/b/c', undefined],
    ['/a/**', 'GET', '/a', {}],
    ['/a/**', 'GET', '/a/', {}],
    ['/a/**', 'GET', '/a/b/c/d', {}],
    ['/a/**', 'GET', '/ab', undefined],
    ['/**', 'GET', '/', {}],
    ['/**', 'DELETE', '/x/y', {}],
    ['/:id/**', 'GET', '/7/x/y', { id: '7' }],
    ['/caf%C3%A9', 'GET', '/caf%C3%A9', {}],
    // Hex digits of escapes are case-insensitive too: both spell the same bytes.
    ['/caf%C3%A9', 'GET', '/caf%c3%a9', {}],
    ['/v1/models/gemini:generate', 'POST', '/v1/models/gemini:generate', {}],
    ['/a', 'GET', 'a', undefined],
    ['/a', 'GET', '', undefined],
  ])('behavior: %j matches %s %j -> %j', (pattern, method, pathname, params) => {
    const match = parseRoutePattern(pattern).match(method, pathname)
    expect(match).toEqual(params)
    if (match !== undefined) expect(Object.getPrototypeOf(match)).toBe(Object.prototype)
  })

  test('behavior: pathnames from new URL() match literals as encoded', () => {
    const route = parseRoutePattern('GET /caf%C3%A9/:name')
    expect(route.match('GET', new URL('https://x.dev/café/jo%C3%AB?q=1').pathname)).toEqual({ name: 'joë' })
  })

  test.each([
    [''],
    [' '],
    ['a'],
    ['GET'],
    ['GET a'],
    ['get /a'],
    ['Get /a'],
    ['GET  /a'],
    ['GET /a b'],
    [' /a'],
    ['GET\t/a'],
    ['/a/**/b'],
    ['/**/**'],
    ['/a//b'],
    ['//'],
    ['/a/:'],
    ['/a/:1x'],
    ['/a/:id/:id'],
    ['/a/b*'],
    ['/a/***'],
    ['/a/.'],
    ['/a/..'],
    ['/a/%zz'],
    ['/a/é'],
    ['/a?x=1'],
    ['/a#x'],
    [`/${'a'.repeat(256)}`],
  ])('error: %j is not a valid pattern', (pattern) => {
    expect(() => parseRoutePattern(pattern)).toThrow(expect.objectContaining({ code: 'config_invalid' }))
  })

  test('error: messages', () => {
    expect(() => parseRoutePattern('get /a')).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Route pattern "get /a" is invalid: the method "get" must be an upper-case HTTP method or "*".]`,
    )
    expect(() => parseRoutePattern('/a/**/b')).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Route pattern "/a/**/b" is invalid: "**" may only be the last segment.]`,
    )
    expect(() => parseRoutePattern(42 as unknown as string)).toThrow(TollgateError)
  })
})
