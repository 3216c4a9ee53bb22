import { describe, expect, test } from 'vitest'
import { pathVariants } from './path-variants.js'
import { readRequestTarget } from './read-request-target.js'

describe('pathVariants', () => {
  test('default', () => {
    expect(pathVariants('/api/search')).toEqual(['/api/search'])
  })

  test('behavior: the raw path first, then its normal form', () => {
    expect(pathVariants('/api/%73earch')).toEqual(['/api/%73earch', '/api/search'])
    expect(pathVariants('//api//search')).toEqual(['//api//search', '/api/search'])
    expect(pathVariants('/api/./x/../search/')).toEqual(['/api/./x/../search/', '/api/search/'])
    expect(pathVariants('/../api/search')).toEqual(['/../api/search', '/api/search'])
  })

  test('behavior: a decoded slash stays inside its segment', () => {
    expect(pathVariants('/api/a%2Fb')).toEqual(['/api/a%2Fb'])
    expect(pathVariants('/api/%61%2Fb')).toEqual(['/api/%61%2Fb', '/api/a%2Fb'])
  })
})

describe('readRequestTarget', () => {
  test('default', () => {
    expect(readRequestTarget('/api/search?q=1')).toEqual({ path: '/api/search', search: '?q=1' })
  })

  test('behavior: absolute-form targets keep only their path; fragments are dropped', () => {
    expect(readRequestTarget('http://x/api/search?q=1#top')).toEqual({ path: '/api/search', search: '?q=1' })
    expect(readRequestTarget('http://x')).toEqual({ path: '/', search: '' })
    expect(readRequestTarget('//api/search')).toEqual({ path: '//api/search', search: '' })
  })
})
