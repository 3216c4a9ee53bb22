import { createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'

// #region gate
const gate = createGate({
  routes: {
    'GET /api/search': {
      price: '$0.001',
      description: 'Web search',
      discovery: {
        input: { schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
        output: { example: { results: ['…'] } },
      },
    },
    'POST /api/summarize': {
      price: (request) => (request.headers.get('x-length') === 'long' ? '$0.05' : '$0.01'),
      description: 'Summarize a text',
      discovery: {
        input: {
          schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
          example: { text: 'A long text.' },
        },
      },
    },
  },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
  networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' })],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  publicUrl: 'https://api.example.com',
  discovery: {
    title: 'Search API',
    serviceInfo: { categories: ['search'] },
    instructions: 'GET /api/search?q= returns results; POST /api/summarize takes { text }.',
    free: { 'GET /health': { summary: 'Liveness' } },
  },
})

// Served by gate.check and gate.handle: GET /openapi.json and GET /.well-known/x402.
export default {
  fetch: (request: Request) => gate.handle(request, () => Response.json({ ok: true })),
}
// #endregion gate

// #region builders
const openapi = gate.discovery.openapi() // the same documents, as objects
const wellKnown = gate.discovery.wellKnown()
const price = gate.discovery.priceOf('GET', '/api/search') // { route, dynamic, accepts: [{ display: '0.001 USDC', … }] }

// #endregion builders
export { openapi, price, wellKnown }
