import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { createPaidMcpServer, type PaidMcpClient } from '@tollgate/mcp'
import { demoTools } from './demo-tools.js'

/** Options of {@link createDemoMcpServer}. */
export type CreateDemoMcpServerOptions = {
  /** Pays for the tools (see `createDemoClient`). */
  client: PaidMcpClient
  /** Base URL of the demo API, such as `"http://127.0.0.1:4021"`. */
  apiUrl: string
}

/**
 * Creates the demo MCP server: `search`, `publish_post`, `verify_identity` and `issue_contract`
 * call the demo API and pay it through `client`; `get_budget` and `list_payments` report spend.
 * One server serves one connection; create one per Streamable HTTP session.
 *
 * @example
 * const server = createDemoMcpServer({ client: createDemoClient({ … }), apiUrl: api.url })
 * await serveStdio(server)
 */
export function createDemoMcpServer(options: CreateDemoMcpServerOptions): McpServer {
  return createPaidMcpServer({
    client: options.client,
    tools: demoTools(options.apiUrl),
    name: 'tollgate-demo',
    version: '0.0.0',
  })
}
