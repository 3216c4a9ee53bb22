import type { GateTarget } from './resolve-gate-target.js'
import type { GateRequest } from './types.js'

/**
 * The request with its public URL: the 402's resource and a pass's origin never come from what the
 * client put in `Host`. Price functions still get the request as is.
 * @internal
 * @example locate(request, { path: '/api/search', search: '?q=1' }, 'https://api.example.com').url // 'https://api.example.com/api/search?q=1'
 */
export function locate(request: GateRequest, target: GateTarget, origin: string): GateRequest {
  return {
    method: request.method,
    url: `${origin}${target.path}${target.search}`,
    path: `${target.path}${target.search}`,
    headers: request.headers,
  }
}
