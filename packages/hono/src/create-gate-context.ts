import type { GateContext } from '@tollgate/core'
import type { Context } from 'hono'
import { nodeHeaders } from './node-headers.js'
import { routedPath } from './routed-path.js'

/**
 * What the gate needs to know about a Hono request beyond the web `Request`: the path Hono routes,
 * Node's own header record under `@hono/node-server`, and the client's IP when asked. The
 * request's `signal` and `headers` are left for the gate to read when it needs them: on
 * `@hono/node-server` each is built on first access, and a pass ride needs neither.
 *
 * @internal
 * @example const answer = await gate.handle(c.req.raw, handler, createGateContext(c, options.clientIp))
 */
export function createGateContext(
  c: Context,
  clientIp: ((c: Context) => string | undefined) | undefined,
): GateContext {
  const context: GateContext = { path: routedPath(c) }
  const headers = nodeHeaders(c)
  if (headers !== undefined) context.headers = headers
  if (clientIp !== undefined) context.clientIp = () => clientIp(c)
  return context
}
