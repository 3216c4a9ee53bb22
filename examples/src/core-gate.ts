import { createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { privateKeyToAccount } from 'viem/accounts'

const settlerKey = process.env.SETTLER_KEY // pays the gas of x402 `exact` settlements
if (!settlerKey) throw new Error('Set SETTLER_KEY to the private key of an account with some ETH.')

const gate = createGate({
  routes: {
    'GET /api/search': { price: '$0.001', description: 'Web search' },
    'POST /api/report/:id': {
      price: (request) => (new URL(request.url).searchParams.has('full') ? '$0.05' : '$0.01'),
    },
    'POST /api/pass': { price: '$1', pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] } },
  },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', // or { evm: '0x…', solana: '…' }
  networks: [
    evmNetwork({
      network: 'eip155:31337', // Base: 'eip155:8453' and its RPC URL
      rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
      exact: { settler: privateKeyToAccount(settlerKey as `0x${string}`) },
    }),
  ],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef', // ≥ 32 bytes; the same on every instance
  // store: in memory by default; @tollgate/redis or @tollgate/sqlite in production
})

const handler = (request: Request) => Response.json({ ok: true, path: new URL(request.url).pathname })

// Any runtime with web Request/Response:
export default { fetch: (request: Request) => gate.handle(request, handler) }
