// app/api/search/route.ts in a Next.js app (the App Router's route handlers are fetch handlers).
import { createGate, toFetchHandler } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'

const gate = createGate({
  routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', // yours
  networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' })],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  publicUrl: process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000', // the origin agents call
})

export const GET = toFetchHandler(gate, (request, receipt) =>
  Response.json({ q: new URL(request.url).searchParams.get('q'), paidBy: receipt?.payer }),
)
export const HEAD = GET // priced and answered like GET, without a body
