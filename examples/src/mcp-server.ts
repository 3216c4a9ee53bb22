import { createPaidMcpServer, serveStdio } from '@tollgate/mcp'
import { z } from 'zod'

const api = process.env.API_URL ?? 'http://127.0.0.1:4021'
const server = createPaidMcpServer({
  wallet: {
    privateKey: process.env.AGENT_KEY as `0x${string}`,
    rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
  },
  // No `approve` callback: above $0.50, only the user (asked through MCP elicitation) approves.
  budget: '$5',
  policy: { requireApprovalAbove: '$0.50', allowedDomains: ['127.0.0.1'] },
  tools: [
    {
      name: 'web_search',
      description: 'Search the web',
      endpoint: `${api}/api/search`,
      params: { q: z.string().describe('The query') },
      maxPrice: '$0.01',
    },
    {
      name: 'buy_pass',
      description: 'A day of searches; the user is asked first',
      endpoint: `${api}/api/pass`,
      method: 'POST',
      maxPrice: '$1',
    },
  ],
})
await serveStdio(server) // log to stderr only: stdout carries MCP messages
