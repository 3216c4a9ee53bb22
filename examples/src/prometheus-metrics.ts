import { createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { composeHooks, createGateMetrics } from '@tollgate/prometheus'
import express from 'express'

const metrics = createGateMetrics()
const gate = createGate({
  routes: { 'GET /api/search': { price: '$0.001' } },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
  networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' })],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  // #region compose
  hooks: composeHooks(metrics.hooks, {
    onReject: ({ error, route }) => console.warn(`payment refused on ${route}: ${error.code}`),
  }),
  // #endregion compose
})

const app = express()
app.get('/metrics', metrics.handler) // before the gate, and behind your own access control
app.use(tollgate(gate))
app.get('/api/search', (_request, response) => response.json({ results: [] }))

const port = Number(process.env.PORT ?? 4021)
app.listen(port, '127.0.0.1', () => console.log(`API listening on http://127.0.0.1:${port}`))
