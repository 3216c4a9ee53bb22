// `scheme://authority` at the start of an absolute-form request target (RFC 9112 §3.2.2).
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/

/** The path and query of a request target, as the server received them. */
export type RequestTarget = {
  /** The percent-encoded path, starting with `/` (or the target itself when it has none, such as `*`). */
  path: string
  /** The query with its `?`, or an empty string. */
  search: string
}

/**
 * Splits a request target (origin-form `/a/b?q` or absolute-form `http://host/a/b?q`) into the path
 * a router matches and the query, without resolving, decoding or rebuilding anything. The host of
 * an absolute-form target is ignored, as routers ignore it.
 *
 * @example readRequestTarget('http://x/api/search?q=1') // { path: '/api/search', search: '?q=1' }
 * @example readRequestTarget('/api//search#top') // { path: '/api//search', search: '' }
 * @internal
 */
export function readRequestTarget(target: string): RequestTarget {
  // Origin-form with no fragment, what servers hand over: two scans, no regular expression.
  if (target.startsWith('/') && !target.includes('#')) {
    const query = target.indexOf('?')
    if (query === -1) return { path: target, search: '' }
    return { path: target.slice(0, query), search: query === target.length - 1 ? '' : target.slice(query) }
  }
  const absolute = ABSOLUTE_FORM.exec(target)
  const rest = absolute === null ? target : target.slice(absolute[0].length)
  const end = rest.search(/[?#]/)
  const path = end === -1 ? rest : rest.slice(0, end)
  const query = end === -1 || rest[end] === '#' ? '' : rest.slice(end).split('#')[0]!
  const normalized = path === '' && absolute !== null ? '/' : path
  return { path: normalized, search: query === '?' ? '' : query }
}
