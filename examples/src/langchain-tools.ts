import { createPaidTools } from '@tollgate/langchain'
import { z } from 'zod'

const api = process.env.API_URL ?? 'http://127.0.0.1:4021'
const tools = createPaidTools({
  wallet: {
    privateKey: process.env.AGENT_KEY as `0x${string}`,
    rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
  },
  budget: '$5',
  policy: { perCall: '$0.50', allowedDomains: ['127.0.0.1'] },
  tools: [
    {
      name: 'web_search',
      description: 'Search the web',
      endpoint: `${api}/api/search`,
      params: { q: z.string().describe('The query') }, // or { q: { type: 'string', description: 'The query' } }
      maxPrice: '$0.01',
    },
  ],
})

// Hand `tools` to an agent: createAgent({ model: 'openai:gpt-4.1-mini', tools }) from 'langchain'.
// Called directly, as the agent would:
const message = await tools[0]?.invoke({
  type: 'tool_call',
  id: 'call_1',
  name: 'web_search',
  args: { q: 'x402' },
})
console.log(message?.content)
console.log(message?.artifact) // { payment: { method: 'payment', amount: '1000', display: '0.001 USDC', … }, status: 200 }
