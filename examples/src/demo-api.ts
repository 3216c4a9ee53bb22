// The demo API from code, on its own devnet: prints the URL, then closes. (`@tollgate/demo-api` README)
import { startDemoApi } from '@tollgate/demo-api'
import { startDevnet } from '@tollgate/testkit'

const devnet = await startDevnet()
const { usdc } = devnet.tokens
const api = await startDemoApi({
  rpcUrl: devnet.rpcUrl,
  network: devnet.network,
  asset: {
    address: usdc.address,
    decimals: 6,
    symbol: 'USDC',
    name: 'USD Coin',
    eip712: { name: usdc.name, version: usdc.version },
  },
  payTo: devnet.accounts[9]!.address,
  secret: 'at-least-32-bytes-of-secret-please!!',
  // store: createRedisStore({ url }),   // optional; default in-memory
})
// api.url, api.app (Express), api.gate
console.log((await fetch(`${api.url}/api/search?q=x402`)).status)
await api.close()
await devnet.stop()
