import { createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { createSqliteStore } from '@tollgate/sqlite'

const store = createSqliteStore({ path: process.env.STORE_PATH ?? 'tollgate.db' })

const gate = createGate({
  routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
  payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
  networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545' })],
  store,
  secret: process.env.TOLLGATE_SECRET ?? 'dev-only-secret-change-me-0123456789abcdef',
})
const answer = await gate.handle(new Request('http://127.0.0.1/api/search'), () =>
  Response.json({ results: [] }),
)
console.log(answer.status) // 402: pay first

// On shutdown:
await store.close()
