import type { RoutePattern, RouteSegment } from './parse-route-pattern.js'

// Lower is more specific; the end of a shorter path beats a `**` that would match nothing there.
const RANK = { end: 0, literal: 1, param: 2, wildcard: 3, rest: 4 } as const

/**
 * Orders route patterns from most to least specific, for picking one of several that match a request.
 *
 * Paths are compared segment by segment from the left: a literal beats `:param`, which beats `*`, which
 * beats `**`. Only when the paths tie does an explicit method beat `*`. Returns a negative number when
 * `a` is more specific, positive when `b` is, and 0 when they tie, so `patterns.sort(compareRouteSpecificity)`
 * puts the most specific first.
 *
 * @example
 * ['/a/**', 'GET /a/:id', '/a/:id', '/a/b'].map(parseRoutePattern).sort(compareRouteSpecificity)
 * // '/a/b', 'GET /a/:id', '/a/:id', '/a/**'
 * @throws never
 */
export function compareRouteSpecificity(a: RoutePattern, b: RoutePattern): number {
  const length = Math.max(a.segments.length, b.segments.length)
  for (let index = 0; index < length; index++) {
    const difference = rank(a.segments[index]) - rank(b.segments[index])
    if (difference !== 0) return difference
  }
  return Number(a.method === '*') - Number(b.method === '*')
}

function rank(segment: RouteSegment | undefined): number {
  return RANK[segment === undefined ? 'end' : segment.type]
}
