// The demo MCP server over stdio, paying the demo API (`API_URL`) on the chain at `RPC_URL`.
import { createDemoClient, createDemoMcpServer, discoverAsset } from '@tollgate/demo-mcp'
import { createStreamableHttpHandler, serveStdio } from '@tollgate/mcp'

const privateKey = process.env.AGENT_KEY as `0x${string}`
const rpcUrl = process.env.RPC_URL ?? 'http://127.0.0.1:8545'
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:4021'
const { asset } = await discoverAsset({ apiUrl, rpcUrl })

const client = createDemoClient({ privateKey, rpcUrl, network: 'eip155:31337', asset })
await serveStdio(createDemoMcpServer({ client, apiUrl }))
// or, one server per HTTP session:
export const handler = createStreamableHttpHandler(() => createDemoMcpServer({ client, apiUrl }))
