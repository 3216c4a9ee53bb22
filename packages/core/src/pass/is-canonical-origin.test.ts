import { describe, expect, test } from 'vitest'
import { isCanonicalOrigin } from './is-canonical-origin.js'

describe('isCanonicalOrigin', () => {
  test('default', () => {
    expect(isCanonicalOrigin('https://api.example.com')).toBe(true)
    expect(isCanonicalOrigin('http://localhost:8080')).toBe(true)
  })

  test.each([
    ['https://api.example.com/'],
    ['https://api.example.com/v1'],
    ['https://API.example.com'],
    ['https://api.example.com:443'],
    ['api.example.com'],
    ['data:text/plain,x'],
    [''],
  ])('error: %j is not canonical', (value) => {
    expect(isCanonicalOrigin(value)).toBe(false)
  })
})
