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
  return query === -1 ? c.req.path : `${c.req.path}${url.slice(query)}`
}
