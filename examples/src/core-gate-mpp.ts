import { createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { privateKeyToAccount } from 'viem/accounts'

const settlerKey = process.env.SETTLER_KEY // pays the gas of settlements, x402 and MPP alike
if (!settlerKey) throw new Error('Set SETTLER_KEY to the private key of an account with some ETH.')

const gate = createGate({
  routes: { 'GET /api/report': { price: '$0.01', description: 'Daily report' } },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
  networks: [
    evmNetwork({
      network: 'eip155:31337',
      rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
      // `exact` (EIP-3009) is what MPP's EVM `charge` pays: without it there is no MPP challenge.
      exact: { settler: privateKeyToAccount(settlerKey as `0x${string}`) },
    }),
  ],
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
  protocols: ['x402', 'mpp'], // the default; ['mpp'] or ['x402'] speaks only one
})

const handler = () => Response.json({ report: 'today' })

// A 402 carries PAYMENT-REQUIRED and WWW-Authenticate: Payment …; a paid answer carries
// PAYMENT-RESPONSE and Payment-Receipt, whichever protocol paid.
export default { fetch: (request: Request) => gate.handle(request, handler) }
