import { fc, test as property } from '@fast-check/vitest'
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

  property.prop([
    fc.array(fc.constantFrom('a', 'B', '.', '..', '', '%2e', '%2F', '%61', '%', '%zz', 'x.y'), {
      maxLength: 6,
    }),
  ])(
    'property: the normal form is its own normal form, and a path with nothing to normalize is kept as is',
    (segments) => {
      const path = `/${segments.join('/')}`
      const variants = pathVariants(path)
      expect(pathVariants(variants.at(-1)!)).toEqual([variants.at(-1)])
      if (!/%|\/\/|(?:^|\/)\.\.?(?:\/|$)/.test(path)) expect(variants).toEqual([path])
    },
  )

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

  test('behavior: an empty query is no query; a fragment ends the query', () => {
    expect(readRequestTarget('/api/search?')).toEqual({ path: '/api/search', search: '' })
    expect(readRequestTarget('/api/search?q=1?x')).toEqual({ path: '/api/search', search: '?q=1?x' })
    expect(readRequestTarget('/api/search?q=1#top')).toEqual({ path: '/api/search', search: '?q=1' })
    expect(readRequestTarget('/api/search#top?q=1')).toEqual({ path: '/api/search', search: '' })
    expect(readRequestTarget('/api/search?#top')).toEqual({ path: '/api/search', search: '' })
  })
})
