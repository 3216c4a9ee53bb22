import { readRequestTarget } from '../route/read-request-target.js'
import type { GateRequest } from './types.js'

/** Where a request is addressed, as the gate prices and describes it. @internal */
export type GateTarget = {
  /** The raw percent-encoded path the server routes. */
  path: string
  /** The query with its `?`, or an empty string. */
  search: string
}

/**
 * Reads the path the server routes from the request: `request.path` (the target as received)
 * when the adapter gives it, else the path of `request.url`. Never the `Host` header.
 * @internal
 */
export function resolveGateTarget(request: GateRequest): GateTarget {
  if (typeof request.path === 'string') return readRequestTarget(request.path)
  return readRequestTarget(request.url)
}
