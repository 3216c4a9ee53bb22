import { serve } from '@hono/node-server'
import { createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { paidHandler, type TollgateEnv } from '@tollgate/hono'
import { Hono } from 'hono'

const gate = createGate({
  routes: {
    'GET /api/search': { price: '$0.001', description: 'Web search' },
    'POST /api/pass': { price: '$1', pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] } },
  },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', // yours
  networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' })],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
})

const app = new Hono<TollgateEnv>()
// Each priced route gets the gate as its own handler: a route registered without it is not gated.
app.get(
  '/api/search',
  paidHandler(gate, (c) => c.json({ results: [], paidBy: c.get('tollgate')?.payer })),
)
app.post(
  '/api/pass',
  paidHandler(gate, (c) => c.json({ pass: c.get('tollgate')?.pass?.expiresAt })),
)
app.get('/health', (c) => c.json({ ok: true })) // not priced, not wrapped
// A handler that throws is not charged; Hono's error handler answers.
app.onError((_error, c) => c.json({ error: 'internal' }, 500))

const port = Number(process.env.PORT ?? 4021)
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () =>
  console.log(`API listening on http://127.0.0.1:${port}`),
)
