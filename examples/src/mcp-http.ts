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
http.createServer(handler).listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
// #endregion serve
console.log('MCP listening')
