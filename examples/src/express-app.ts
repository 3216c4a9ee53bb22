import { evmNetwork } from '@tollgate/core/evm'
import { tollgate, writeWebResponse } from '@tollgate/express'
import express from 'express'

const app = express()
app.use(
  tollgate({
    routes: {
      'GET /api/search': { price: '$0.001', description: 'Web search' },
      'POST /api/pass': { price: '$1', pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] } },
      'GET /api/quote': { price: '$0.01' },
    },
    payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', // yours
    networks: [
      evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' }),
    ],
    secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  }),
)

app.get('/api/search', (_request, response) => {
  const receipt = response.locals.tollgate // { method, route, payer, scheme, network, amount, transaction, … }
  response.json({ results: [], paidBy: receipt?.payer })
})
// The pass route needs a handler too: it answers the buyer, whose PAYMENT-RESPONSE carries the pass.
app.post('/api/pass', (_request, response) => {
  response.json({ pass: response.locals.tollgate?.pass?.expiresAt })
})
app.get('/health', (_request, response) => response.json({ ok: true })) // not priced: untouched

// #region web-response
app.get('/api/quote', async (_request, response) => {
  await writeWebResponse(
    response,
    Response.json({ price: '0.01' }, { headers: { 'cache-control': 'no-store' } }),
  )
})
// #endregion web-response

const port = Number(process.env.PORT ?? 4021)
app.listen(port, '127.0.0.1', () => console.log(`API listening on http://127.0.0.1:${port}`))
