/**
 * @module @tollgate/demo-mcp/main
 * Runs the demo MCP server: over stdio by default (stdout carries only MCP messages), or over
 * Streamable HTTP on 127.0.0.1 with `--http <port>` (then it prints one JSON line `{ url }` on
 * stdout once listening). Diagnostics go to stderr. Configured from the environment:
 * `TOLLGATE_PRIVATE_KEY` and `TOLLGATE_RPC_URL` (required), `TOLLGATE_API_URL` (default
 * `http://127.0.0.1:4021`), `TOLLGATE_ASSET` (default: the asset the API asks for),
 * `TOLLGATE_BUDGET` (default `$2`), `TOLLGATE_APPROVE_ABOVE` (default `$0.50`) and
 * `TOLLGATE_LEDGER` (a file; default in memory).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createFileLedger } from '@tollgate/core/node'
import { readChainAsset } from '@tollgate/demo-api'
import { createStreamableHttpHandler, serveStdio } from '@tollgate/mcp'
import type { Hex } from 'viem'
import { createDemoClient } from './create-demo-client.js'
import { createDemoMcpServer } from './create-demo-mcp-server.js'
import { discoverAsset } from './discover-asset.js'

function log(message: string): void {
  process.stderr.write(`demo-mcp: ${message}\n`)
}

function env(name: string, fallback?: string): string {
  const value = process.env[name]?.trim()
  if (value !== undefined && value !== '') return value
  if (fallback !== undefined) return fallback
  throw new Error(`${name} is required.`)
}

function httpPort(args: string[]): number | undefined {
  const index = args.indexOf('--http')
  if (index === -1) return undefined
  const port = Number(args[index + 1])
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('--http needs a port number.')
  return port
}

async function main(): Promise<void> {
  const port = httpPort(process.argv.slice(2))
  const privateKey = env('TOLLGATE_PRIVATE_KEY')
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey))
    throw new Error('TOLLGATE_PRIVATE_KEY must be 0x and 64 hex digits.')
  const rpcUrl = env('TOLLGATE_RPC_URL')
  const apiUrl = env('TOLLGATE_API_URL', 'http://127.0.0.1:4021')
  const assetAddress = process.env.TOLLGATE_ASSET?.trim()
  const { network, asset } = assetAddress
    ? await readChainAsset({ rpcUrl, address: assetAddress })
    : await discoverAsset({ apiUrl, rpcUrl })
  const ledgerPath = process.env.TOLLGATE_LEDGER?.trim()
  const client = createDemoClient({
    privateKey: privateKey as Hex,
    rpcUrl,
    network,
    asset,
    budget: env('TOLLGATE_BUDGET', '$2'),
    requireApprovalAbove: env('TOLLGATE_APPROVE_ABOVE', '$0.50'),
    ...(ledgerPath ? { ledger: createFileLedger({ path: ledgerPath }) } : {}),
  })
  const describe = `paying ${apiUrl} in ${asset.symbol} on ${network}`

  if (port === undefined) {
    const { closed, close } = await serveStdio(createDemoMcpServer({ client, apiUrl }))
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void close())
    log(`serving MCP on stdio, ${describe}`)
    await closed
    process.exit(0)
  }

  const handler = createStreamableHttpHandler(() => createDemoMcpServer({ client, apiUrl }))
  const server = createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/mcp') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}')
      return
    }
    void handler(request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`
  const shutdown = async () => {
    await handler.close()
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown())
  process.stdout.write(`${JSON.stringify({ url })}\n`)
  log(`serving MCP on ${url}, ${describe}`)
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
