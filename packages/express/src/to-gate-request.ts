import type { GateRequest } from '@tollgate/core'
import type { Request } from 'express'

/**
 * Describes an Express request the way the gate reads it: method, the target Express routes
 * (`originalUrl`, which survives router mounting and absolute-form targets), a URL for the
 * development fallback when the gate has no `publicUrl`, and a header lookup. It builds no web
 * `Request`, so a pass check costs one HMAC and no copying.
 *
 * @internal
 * @example const decision = await gate.check(toGateRequest(request))
 */
export function toGateRequest(request: Request): GateRequest {
  return {
    method: request.method,
    // The gate reads only the origin of this URL, and only without `publicUrl`: `Host` never moves
    // the priced path. Price functions may still read it. `protocol` follows `trust proxy`.
    url: `${request.protocol}://${request.headers.host ?? ''}${request.originalUrl.startsWith('/') ? request.originalUrl : '/'}`,
    path: request.originalUrl,
    headers: {
      get: (name) => {
        // Node keeps header names lower-cased, and joins repeated headers the way fetch does.
        const value = request.headers[name.toLowerCase()]
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
      },
    },
  }
}
