/** Headers worth replaying; payment, cookie and hop-by-hop headers are never kept. */
const KEPT_HEADERS = new Set([
  'content-type',
  'content-language',
  'content-disposition',
  'content-location',
  'location',
  'etag',
  'last-modified',
  'cache-control',
])

/**
 * The headers of a paid response that are kept for replay: content description and caching, never
 * payment, cookie or connection headers. Names come out lowercase.
 * @internal
 * @example keptHeaders(new Headers({ 'Content-Type': 'application/json', 'Set-Cookie': 'a=1' })) // [['content-type', 'application/json']]
 */
export function keptHeaders(headers: Iterable<[string, string]>): [string, string][] {
  const kept: [string, string][] = []
  for (const [name, value] of headers) {
    const lower = name.toLowerCase()
    if (KEPT_HEADERS.has(lower)) kept.push([lower, value])
  }
  return kept
}
