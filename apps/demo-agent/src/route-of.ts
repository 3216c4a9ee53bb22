import type { PaidEndpoint } from '@tollgate/core'

/**
 * The route a tool calls, as the demo prints it: method and path, such as `"GET /api/search"`.
 *
 * @example routeOf(demoTools(api.url), 'web_search') // 'GET /api/search'
 */
export function routeOf(definitions: readonly PaidEndpoint[], tool: string): string {
  const definition = definitions.find((entry) => entry.name === tool)
  if (definition === undefined) return tool
  return `${definition.method ?? 'GET'} ${new URL(definition.endpoint.replaceAll(/[{}]/g, '')).pathname}`
}
