import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { toJsonSafe } from './to-json-safe.js'

/**
 * A tool result that carries `value` twice, as MCP recommends for structured output: as
 * `structuredContent` and as its JSON text, for clients that only read `content`.
 * @internal
 * @example return jsonResult({ code: 'policy_budget_exceeded', message }, { isError: true })
 */
export function jsonResult(
  value: Record<string, unknown>,
  options: { isError?: boolean; meta?: Record<string, unknown> } = {},
): CallToolResult {
  const structuredContent = toJsonSafe(value) as Record<string, unknown>
  return {
    content: [{ type: 'text', text: JSON.stringify(structuredContent) }],
    structuredContent,
    ...(options.isError ? { isError: true } : {}),
    ...(options.meta === undefined ? {} : { _meta: options.meta }),
  }
}
