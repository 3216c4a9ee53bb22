import { quote, TollgateError } from '../errors/tollgate-error.js'
import { parseRoutePattern, type RoutePattern } from '../route/parse-route-pattern.js'
import { BODY_METHODS } from './build-operation.js'
import type { DiscoveryOptions, RouteDiscovery } from './types.js'

/** A gate's discovery settings, validated. @internal */
export type CompiledDiscovery = {
  openapiPath: string
  wellKnownPath: string
  options: DiscoveryOptions
  free: { pattern: RoutePattern; config: RouteDiscovery & { description?: string } }[]
}

/**
 * Validates a gate's `discovery` option: paths must start with `/`, free routes must be valid
 * patterns.
 * @internal
 * @throws {TollgateError} `config_invalid` for a bad path, pattern or route discovery
 */
export function compileDiscovery(options: DiscoveryOptions | undefined): CompiledDiscovery {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TollgateError('config_invalid', 'discovery must be an object or false.')
  }
  const settings = options ?? {}
  const openapiPath = discoveryPath(settings.openapiPath, '/openapi.json', 'openapiPath')
  const wellKnownPath = discoveryPath(settings.wellKnownPath, '/.well-known/x402', 'wellKnownPath')
  if (openapiPath === wellKnownPath) {
    throw new TollgateError(
      'config_invalid',
      `discovery.openapiPath and wellKnownPath are both ${quote(openapiPath)}.`,
    )
  }
  const free = Object.entries(settings.free ?? {}).map(([key, config]) => {
    const pattern = parseRoutePattern(key)
    checkRouteDiscovery(key, pattern, config)
    return { pattern, config }
  })
  return { openapiPath, wellKnownPath, options: settings, free }
}

function discoveryPath(value: unknown, fallback: string, name: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\/[^\s?#]*$/.test(value)) {
    throw new TollgateError(
      'config_invalid',
      `discovery.${name} ${quote(value)} is not a path starting with "/".`,
    )
  }
  return value
}

// The bazaar extension rides in every 402 and is echoed in every payment header.
const MAX_ROUTE_DISCOVERY_BYTES = 3072

/**
 * Checks one route's `discovery`: a body route whose input schema requires properties needs an
 * example (x402's bazaar extension must carry a body that fits its schema), and the whole stays
 * small, since official x402 clients echo it in their payment header.
 * @internal
 * @throws {TollgateError} `config_invalid`
 */
export function checkRouteDiscovery(
  key: string,
  pattern: RoutePattern,
  config: RouteDiscovery | undefined,
): void {
  if (config === undefined) return
  if (typeof config !== 'object' || config === null) {
    throw new TollgateError(
      'config_invalid',
      `Route "${key}" has a discovery that is not an object or false.`,
    )
  }
  const schema = config.input?.schema
  const required = Array.isArray(schema?.required) && schema.required.length > 0
  const body = pattern.method === '*' || BODY_METHODS.has(pattern.method)
  if (body && required && config.input?.example === undefined) {
    throw new TollgateError(
      'config_invalid',
      `Route "${key}" declares required input but no discovery.input.example: a body route needs one.`,
    )
  }
  const size = new TextEncoder().encode(JSON.stringify(config)).length
  if (size > MAX_ROUTE_DISCOVERY_BYTES) {
    throw new TollgateError(
      'config_invalid',
      `Route "${key}" has ${size} bytes of discovery schemas and examples; at most ${MAX_ROUTE_DISCOVERY_BYTES} fit in a payment header.`,
      { details: { route: key, bytes: size } },
    )
  }
}
