import { serve } from '@hono/node-server'
import { evmNetwork } from '@tollgate/core/evm'
import { type TollgateEnv, tollgate } from '@tollgate/hono'
import { Hono } from 'hono'

const app = new Hono<TollgateEnv>()
app.use(
  tollgate({
    routes: {
      'GET /api/search': { price: '$0.001', description: 'Web search' },
      'POST /api/pass': { price: '$1', pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] } },
    },
    payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', // yours
    networks: [
      evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' }),
    ],
    secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  }),
)

app.get('/api/search', (c) => {
  const receipt = c.get('tollgate') // { method, route, payer, scheme, network, amount, transaction, … }
  return c.json({ results: [], paidBy: receipt?.payer })
})
// The pass route needs a handler too: it answers the buyer, whose PAYMENT-RESPONSE carries the pass.
app.post('/api/pass', (c) => c.json({ pass: c.get('tollgate')?.pass?.expiresAt }))
app.get('/health', (c) => c.json({ ok: true })) // not priced: untouched

// Node here; on Workers, Deno or Bun export `app` (or `app.fetch`) instead.
const port = Number(process.env.PORT ?? 4021)
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () =>
  console.log(`API listening on http://127.0.0.1:${port}`),
)
