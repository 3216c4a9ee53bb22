import type { CompiledRoute } from '../gate/compile-routes.js'
import type { CompiledDiscovery } from './compile-discovery.js'
import type { WellKnownX402 } from './types.js'

/**
 * Builds the `/.well-known/x402` document: the absolute URL of every priced route a directory can
 * probe for its 402 (routes with `:params`, `*` or `**`, or with `discovery: false`, have no single
 * URL and are left out). `GET` and `POST` routes are plain URLs; other methods prefix theirs.
 * @internal
 */
export function buildWellKnown(
  routes: readonly CompiledRoute[],
  discovery: CompiledDiscovery,
  origin: string,
): WellKnownX402 {
  const resources: string[] = []
  for (const route of routes) {
    if (route.config.discovery === false) continue
    if (!route.pattern.segments.every((segment) => segment.type === 'literal')) continue
    const url = `${origin}${route.pattern.path}`
    const method = route.pattern.method
    const resource = method === '*' || method === 'GET' || method === 'POST' ? url : `${method} ${url}`
    if (!resources.includes(resource)) resources.push(resource)
  }
  const { instructions, ownershipProofs } = discovery.options
  return {
    version: 1,
    resources,
    ...(instructions === undefined ? {} : { instructions }),
    ...(ownershipProofs === undefined ? {} : { ownershipProofs: [...ownershipProofs] }),
  }
}
