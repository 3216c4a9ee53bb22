import { describe, expect, test } from 'vitest'
import { compareRouteSpecificity } from './compare-route-specificity.js'
import { parseRoutePattern } from './parse-route-pattern.js'

const sorted = (patterns: string[]) =>
  patterns
    .map(parseRoutePattern)
    .sort(compareRouteSpecificity)
    .map((route) => route.pattern)

describe('compareRouteSpecificity', () => {
  test('default', () => {
    expect(sorted(['/a/**', 'GET /a/:id', '/a/*', '/a/:id', '/a/b'])).toEqual([
      '/a/b',
      'GET /a/:id',
      '/a/:id',
      '/a/*',
      '/a/**',
    ])
  })

  // [more specific, less specific]: both match some request.
  test.each([
    ['/a/b', '/a/:id'],
    ['/a/:id', '/a/*'],
    ['/a/*', '/a/**'],
    ['/a', '/a/**'],
    ['/a/b/**', '/a/**'],
    ['/a/*/**', '/a/**'],
    ['/a/b/:id', '/a/:x/c'],
    ['/:x/b', '/*/b'],
    ['GET /a/:id', '/a/:id'],
    ['GET /a/**', '* /a/**'],
    ['* /a/b', 'GET /a/:id'],
    ['/', '/**'],
  ])('behavior: %j is more specific than %j', (specific, general) => {
    const [a, b] = [parseRoutePattern(specific), parseRoutePattern(general)]
    expect(compareRouteSpecificity(a, b)).toBeLessThan(0)
    expect(compareRouteSpecificity(b, a)).toBeGreaterThan(0)
  })

  test.each([
    ['/a/:x', '/a/:y'],
    ['GET /a', 'POST /a'],
    ['/a/**', '* /a/**'],
  ])('behavior: %j and %j tie', (left, right) => {
    expect(compareRouteSpecificity(parseRoutePattern(left), parseRoutePattern(right))).toBe(0)
  })
})
