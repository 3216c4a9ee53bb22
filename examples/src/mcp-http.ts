import http from 'node:http'
import { createPaidMcpServer, createStreamableHttpHandler, type PaidTool } from '@tollgate/mcp'

const api = process.env.API_URL ?? 'http://127.0.0.1:4021'
const wallet = {
  privateKey: process.env.AGENT_KEY as `0x${string}`,
  rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
}
const tools: PaidTool[] = [
  { name: 'web_search', description: 'Search the web', endpoint: `${api}/api/search` },
]

// #region serve
// One MCP server per session; every session pays from the same wallet and budget.
const handler = createStreamableHttpHandler(() => createPaidMcpServer({ wallet, budget: '$5', tools }))
const port = Number(process.env.PORT ?? 3000)
http
  .createServer(handler)
  .listen(port, '127.0.0.1', () => console.log(`MCP listening on http://127.0.0.1:${port}/mcp`))
// #endregion serve
