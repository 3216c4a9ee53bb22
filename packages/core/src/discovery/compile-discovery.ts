import { quote, TollgateError } from '../errors/tollgate-error.js'
import { parseRoutePattern, type RoutePattern } from '../route/parse-route-pattern.js'
import { buildBazaarExtension } from './build-bazaar-extension.js'
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

// What the rest of an official x402 client's payment header takes (payload, requirements,
// resource, payment-identifier), as JSON; the bazaar extension gets what is left.
const PAYMENT_HEADER_BASE_BYTES = 2048

/**
 * The most JSON a route's `bazaar` extension may take so that an official x402 client, which
 * echoes it in its payment header, stays within the gate's `maxHeaderBytes` (base64 of JSON).
 * @internal
 */
export function bazaarBudget(maxHeaderBytes: number): number {
  return Math.floor((maxHeaderBytes * 3) / 4) - PAYMENT_HEADER_BASE_BYTES
}

/**
 * Checks one route's `discovery`: a body route whose input schema requires properties needs an
 * example (x402's bazaar extension must carry a body that fits its schema), and the extension it
 * yields fits in `budget` bytes of JSON, since official x402 clients echo it in their payment header.
 * @internal
 * @throws {TollgateError} `config_invalid`
 */
export function checkRouteDiscovery(
  key: string,
  pattern: RoutePattern,
  config: RouteDiscovery | undefined,
  budget = Number.POSITIVE_INFINITY,
): void {
  if (config !== undefined && (typeof config !== 'object' || config === null)) {
    throw new TollgateError(
      'config_invalid',
      `Route "${key}" has a discovery that is not an object or false.`,
    )
  }
  const schema = config?.input?.schema
  const required = Array.isArray(schema?.required) && schema.required.length > 0
  const body = pattern.method === '*' || BODY_METHODS.has(pattern.method)
  if (body && required && config?.input?.example === undefined) {
    throw new TollgateError(
      'config_invalid',
      `Route "${key}" declares required input but no discovery.input.example: a body route needs one.`,
    )
  }
  // The largest extension the route yields: its method (a body one for any method), every
  // parameter filled with a 64-character value.
  const params: Record<string, string> = {}
  for (const segment of pattern.segments) if (segment.type === 'param') params[segment.name] = 'x'.repeat(64)
  const method = pattern.method === '*' ? 'POST' : pattern.method
  const extension = buildBazaarExtension({ method, pattern, params, discovery: config })
  const size = new TextEncoder().encode(JSON.stringify(extension ?? {})).length
  if (size > budget) {
    throw new TollgateError(
      'config_invalid',
      `Route "${key}" has a bazaar extension of ${size} bytes; official x402 clients echo it in their payment header, where ${budget} bytes fit (raise maxHeaderBytes or shorten its discovery).`,
      { details: { route: key, bytes: size, budget } },
    )
  }
}
