import type { RoutePattern } from '../route/parse-route-pattern.js'
import type { JsonSchema, RouteDiscovery } from './types.js'

/** The key of x402's discovery extension in a 402's `extensions`. */
export const BAZAAR = 'bazaar'

const QUERY_METHODS = new Set(['GET', 'HEAD', 'DELETE'])
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema'

/** What x402's `bazaar` extension is built from. @internal */
export type BazaarInput = {
  /** The request's method, upper-case. */
  method: string
  pattern: RoutePattern
  /** The `:name` values the request matched. */
  params: Readonly<Record<string, string>>
  discovery: RouteDiscovery | undefined
}

/**
 * x402's `bazaar` discovery extension for one 402: `info` (how to call the route: method, query
 * or JSON body, path parameters, an output example) and the JSON Schema `info` must satisfy, as
 * `@x402/extensions` declares and enriches it. `undefined` for a method the extension cannot
 * describe (such as `OPTIONS`).
 * @internal
 */
export function buildBazaarExtension(input: BazaarInput): { info: unknown; schema: unknown } | undefined {
  const { method, discovery } = input
  const body = BODY_METHODS.has(method)
  if (!body && !QUERY_METHODS.has(method)) return undefined
  const hasParams = Object.keys(input.params).length > 0
  const example = discovery?.input?.example
  const inputSchema = discovery?.input?.schema
  const info = {
    type: 'http',
    method,
    ...(body
      ? { bodyType: 'json', body: example ?? {} }
      : example === undefined
        ? {}
        : { queryParams: example }),
    ...(hasParams ? { pathParams: { ...input.params } } : {}),
  }
  const schemaProperties: Record<string, unknown> = {
    type: { type: 'string', const: 'http' },
    method: { type: 'string', enum: [method] },
    ...(body
      ? { bodyType: { type: 'string', enum: ['json'] }, body: inputSchema ?? { type: 'object' } }
      : inputSchema === undefined
        ? {}
        : { queryParams: objectSchema(inputSchema) }),
    ...(hasParams ? { pathParams: { type: 'object' } } : {}),
  }
  const output = outputOf(discovery)
  return {
    info: { input: info, ...(output === undefined ? {} : { output: output.info }) },
    schema: {
      $schema: DRAFT_2020_12,
      type: 'object',
      properties: {
        input: {
          type: 'object',
          properties: schemaProperties,
          required: body ? ['type', 'method', 'bodyType', 'body'] : ['type', 'method'],
          additionalProperties: false,
        },
        ...(output === undefined ? {} : { output: output.schema }),
      },
      required: ['input'],
    },
    ...routeTemplate(input.pattern, hasParams),
  }
}

function objectSchema(schema: JsonSchema): JsonSchema {
  return schema.type === undefined ? { type: 'object', ...schema } : schema
}

function outputOf(discovery: RouteDiscovery | undefined): { info: unknown; schema: unknown } | undefined {
  const output = discovery?.output
  if (output === undefined || (output.schema === undefined && output.example === undefined)) return undefined
  return {
    info: { type: 'json', ...(output.example === undefined ? {} : { example: output.example }) },
    schema: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        ...(output.schema === undefined ? {} : { example: output.schema }),
      },
      required: ['type'],
    },
  }
}

/** The pattern as x402's `routeTemplate` (`/items/:id`), when it has parameters and no wildcard. */
function routeTemplate(pattern: RoutePattern, hasParams: boolean): { routeTemplate?: string } {
  if (!hasParams) return {}
  const parts: string[] = []
  for (const segment of pattern.segments) {
    if (segment.type === 'param') parts.push(`:${segment.name}`)
    else if (segment.type === 'literal') parts.push(segment.value)
    else return {}
  }
  const template = `/${parts.join('/')}`
  // The characters x402 facilitators accept in a route template.
  return /^[A-Za-z0-9_:/.~%-]+$/.test(template) ? { routeTemplate: template } : {}
}
