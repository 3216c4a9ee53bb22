import type { RoutePattern } from '../route/parse-route-pattern.js'

/** A route pattern as an OpenAPI path template. @internal */
export type OpenApiPath = {
  /** The path template, such as `/items/{id}`. */
  path: string
  /** The names of its path parameters, in order. */
  params: string[]
  /** The lower-case operation method; `get` for a pattern of any method. */
  method: string
}

/**
 * Turns a route pattern into an OpenAPI path template (`:id` becomes `{id}`); `undefined` for a
 * pattern with `*` or `**`, which OpenAPI paths cannot express.
 * @internal
 */
export function toOpenApiPath(pattern: RoutePattern): OpenApiPath | undefined {
  const params: string[] = []
  const parts: string[] = []
  for (const segment of pattern.segments) {
    if (segment.type === 'wildcard' || segment.type === 'rest') return undefined
    if (segment.type === 'param') {
      params.push(segment.name)
      parts.push(`{${segment.name}}`)
    } else parts.push(segment.value)
  }
  return {
    path: `/${parts.join('/')}`,
    params,
    method: pattern.method === '*' ? 'get' : pattern.method.toLowerCase(),
  }
}
