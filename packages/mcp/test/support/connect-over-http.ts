import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { createStreamableHttpHandler } from '../../src/create-streamable-http-handler.js'

/** Serves `createServer` over Streamable HTTP on 127.0.0.1 and connects an official SDK client to it. */
export async function connectOverHttp(
  createServer: () => McpServer,
  clientOptions: ConstructorParameters<typeof McpClient>[1] = {},
) {
  const handler = createStreamableHttpHandler(createServer)
  const server = createHttpServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const url = new URL(`http://127.0.0.1:${port}/mcp`)
  const client = new McpClient({ name: 'test-client', version: '1.0.0' }, clientOptions)
  await client.connect(new StreamableHTTPClientTransport(url))
  return {
    client,
    url,
    handler,
    async close() {
      await client.close()
      await handler.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
