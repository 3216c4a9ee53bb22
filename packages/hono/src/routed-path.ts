import type { Context } from 'hono'

/**
 * The request target as Hono routes it: `c.req.path` (Hono's own reading of the URL, and what a
 * custom `getPath` returns) with the query of the URL. The gate prices this, never a URL rebuilt
 * from `Host`.
 *
 * @internal
 * @example const path = routedPath(c) // '/api/search?q=1'
 */
export function routedPath(c: Context): string {
  const url = c.req.url
  // Where Hono's own path reading starts: the first `/` after the scheme and authority.
  const start = url.indexOf('/', url.indexOf(':') + 4)
  const query = start === -1 ? -1 : url.indexOf('?', start)
  if (query === -1) return c.req.path
  const path = c.req.path
  // Usually Hono's path is the URL's own, then the target is the URL's tail: a slice, where joining
  // the path and the query would build a string to copy again on its first comparison.
  return query - start === path.length && url.slice(start, query) === path
    ? url.slice(start)
    : `${path}${url.slice(query)}`
}
