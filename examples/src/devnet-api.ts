// An API that charges $0.001 per search, on the local devnet (`npx -p @tollgate/testkit tollgate-devnet --port 8545`).
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import express from 'express'

const app = express()
app.use(
  tollgate({
    routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
    payTo: (process.env.PAY_TO ?? '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720') as `0x${string}`,
    networks: [
      evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' }),
    ],
    secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  }),
)
app.get('/api/search', (request, response) => {
  response.json({
    query: request.query.q,
    results: ['x402', 'tollgate'],
    paidBy: response.locals.tollgate?.payer,
  })
})

const port = Number(process.env.PORT ?? 4021)
app.listen(port, '127.0.0.1', () => console.log(`API listening on http://127.0.0.1:${port}`))
