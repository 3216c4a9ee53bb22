import { describe, expect, test } from 'vitest'
import { matchRoute } from './match-route.js'
import { parseRoutePattern } from './parse-route-pattern.js'

describe('matchRoute', () => {
  test('default', () => {
    expect(matchRoute('GET /weather/:city', 'GET', '/weather/new%20york')).toEqual({ city: 'new york' })
    expect(matchRoute('POST /jobs', 'GET', '/jobs')).toBeUndefined()
  })

  test('behavior: accepts a compiled pattern', () => {
    expect(matchRoute(parseRoutePattern('/files/**'), 'PUT', '/files/a/b')).toEqual({})
  })

  test('error: invalid pattern', () => {
    expect(() => matchRoute('GET weather', 'GET', '/weather')).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })
})
