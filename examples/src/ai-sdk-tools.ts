import { createPaidTools } from '@tollgate/ai-sdk'
import { z } from 'zod'

const api = process.env.API_URL ?? 'http://127.0.0.1:4021'
const tools = createPaidTools({
  wallet: {
    privateKey: process.env.AGENT_KEY as `0x${string}`,
    rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
  },
  budget: '$5',
  policy: { perCall: '$0.50', allowedDomains: ['127.0.0.1'], requireApprovalAbove: '$0.50' },
  tools: [
    {
      name: 'web_search',
      description: 'Search the web',
      endpoint: `${api}/api/search`,
      params: { q: z.string().describe('The query') },
      maxPrice: '$0.01',
    },
  ],
})

// Hand `tools` to generateText({ model, tools, stopWhen: stepCountIs(5), prompt }) from 'ai'.
// Called directly, as the SDK would:
const call = { toolCallId: 'call_1', messages: [], context: {} } // `context`: AI SDK 7
const output = await tools.web_search?.execute?.({ q: 'x402' }, call)
console.log(JSON.stringify(output)) // { data: {…}, payment: { method: 'payment', amount: '1000', display: '0.001 USDC', … } }
