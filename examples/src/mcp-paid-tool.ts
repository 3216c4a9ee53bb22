import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { createGate } from '@tollgate/core'
import { evmNetwork, toPaidToolsClient } from '@tollgate/core/evm'
import { callPaidTool, metaKeys, paidToolMeta, paymentReceipt, withPayment } from '@tollgate/mcp'
import { z } from 'zod'

const rpcUrl = process.env.RPC_URL ?? 'http://127.0.0.1:8545'
const server = new McpServer({ name: 'weather', version: '1.0.0' })

// #region server
const gate = createGate({
  routes: { 'POST /forecast': { price: '$0.01', description: 'Weather forecast' } },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
  networks: [evmNetwork({ network: 'eip155:31337', rpcUrl })],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
})
server.registerTool(
  'forecast',
  {
    description: 'Weather forecast. Costs $0.01.',
    inputSchema: { city: z.string() },
    _meta: paidToolMeta(gate, 'forecast'), // its price, for tools/list
  },
  withPayment(gate, 'forecast', async ({ city }, extra) => ({
    content: [{ type: 'text', text: `Sunny in ${city} (paid by ${paymentReceipt(extra)?.payer})` }],
  })),
)
// #endregion server

// An MCP client connected in memory, and the Tollgate client that pays.
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
await server.connect(serverSide)
const mcpClient = new McpClient({ name: 'agent', version: '1.0.0' })
await mcpClient.connect(clientSide)
const tollgateClient = toPaidToolsClient({
  wallet: { privateKey: process.env.AGENT_KEY as `0x${string}`, rpcUrl },
  budget: '$1',
})

// #region client
const { result, payment } = await callPaidTool(mcpClient, tollgateClient, {
  name: 'forecast',
  arguments: { city: 'Paris' },
})
// #endregion client
const listed = (await mcpClient.listTools()).tools[0]?._meta?.[metaKeys.price] as {
  accepts: { display: string }[]
}
console.log(JSON.stringify(result.content), payment?.display, `listed at ${listed.accepts[0]?.display}`)
await mcpClient.close()
