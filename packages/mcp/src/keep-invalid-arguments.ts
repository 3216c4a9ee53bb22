import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

type ValidateToolInput = (tool: unknown, args: unknown, toolName: string) => Promise<unknown>

/**
 * Lets the named tools of an MCP server receive arguments that do not fit their input schema,
 * instead of the SDK answering with its own "Input validation error" text: those tools validate
 * with core's strict schema and answer the documented `invalid_parameters` problem, as every other
 * adapter does. The advertised JSON Schema is unchanged, and other tools keep the SDK's check.
 * Hooks the SDK's `validateToolInput` step (MCP SDK 1.x); if a release drops it, the SDK's own
 * check applies and core still refuses invalid arguments.
 * @internal
 * @example keepInvalidArguments(server, new Set(['get_price']))
 * @throws never
 */
export function keepInvalidArguments(server: McpServer, toolNames: ReadonlySet<string>): void {
  const target = server as unknown as { validateToolInput?: ValidateToolInput }
  const validate = target.validateToolInput
  if (typeof validate !== 'function') return
  target.validateToolInput = (tool, args, toolName) =>
    toolNames.has(toolName) ? Promise.resolve(args ?? {}) : validate.call(server, tool, args, toolName)
}
