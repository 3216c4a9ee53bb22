import { buildOpenApiDocument } from '../discovery/build-openapi-document.js'
import { buildWellKnown } from '../discovery/build-well-known.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import type { GateRuntime } from './gate-runtime.js'
import type { GateTarget } from './resolve-gate-target.js'
import { resolveOrigin } from './resolve-origin.js'
import type { GateRejected, GateRequest } from './types.js'

/**
 * Answers a `GET` or `HEAD` of a discovery path with its document (`200`, JSON, cacheable for 5
 * minutes, readable cross-origin); `undefined` for any other request. Called only for paths no
 * priced route matches, so a route the user priced always wins.
 * @internal
 */
export function serveDiscovery(
  runtime: GateRuntime,
  request: GateRequest,
  target: GateTarget,
): GateRejected | undefined {
  if (!runtime.discoveryOn) return undefined
  const method = request.method.toUpperCase()
  if (method !== 'GET' && method !== 'HEAD') return undefined
  const { discovery } = runtime
  const kind =
    target.path === discovery.openapiPath
      ? 'openapi'
      : target.path === discovery.wellKnownPath
        ? 'well-known'
        : undefined
  if (kind === undefined) return undefined
  let origin: string
  try {
    origin = resolveOrigin(runtime.origin, request)
  } catch (error) {
    const failure = TollgateError.is(error)
      ? error
      : new TollgateError('internal_error', 'The gate could not describe itself.', { cause: error })
    return { outcome: 'rejected', response: createErrorResponse(failure), error: failure }
  }
  const document =
    kind === 'openapi'
      ? buildOpenApiDocument({ routes: runtime.routes, context: runtime.offerContext, discovery, origin })
      : buildWellKnown(runtime.routes, discovery, origin)
  const response = new Response(method === 'HEAD' ? null : JSON.stringify(document), {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'max-age=300',
      'access-control-allow-origin': '*',
    },
  })
  return { outcome: 'rejected', response, discovery: kind }
}
