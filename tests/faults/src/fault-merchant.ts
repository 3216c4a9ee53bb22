/**
 * @module fault-merchant
 * The merchant the fault matrix buys from, built only from the public API (`createGate`,
 * `evmNetwork`, `tollgate()`, `createRedisStore`, `withPayment`, `createStreamableHttpHandler`),
 * run as a child process by the attack suite's `startMerchant` (same environment, same IPC
 * protocol), so a run can kill -9 it and start it again on the same port and Redis, or answer a
 * retry from a second instance.
 *
 * One gate serves both transports: HTTP routes through `tollgate()`, and an MCP tool `item` at
 * `/mcp` (Streamable HTTP) through `withPayment`. Every priced handler reports its start and end
 * over IPC, tagged with the run: the `x-fault-run` header, or the tool's `run` argument.
 */

import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { type CreateGateOptions, createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { createStreamableHttpHandler, withPayment } from '@tollgate/mcp'
import { createRedisStore } from '@tollgate/redis'
import express, { type Request, type Response } from 'express'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { devnetFromEnv, required } from '../../attack/src/merchant-env.js'
import type { MerchantCommand, MerchantEvent } from '../../attack/src/merchant-server.js'

/** The priced routes, in the devnet's 6-decimal USDC: an item, a pass for rides, a ride, the MCP tool. */
export const FAULT_ROUTES = {
  'GET /api/item': { price: '$0.001', description: 'One item' },
  'POST /api/pass': {
    price: '$0.05',
    description: 'A pass for rides',
    pass: { ttlSeconds: 3600, scope: ['GET /api/ride'] },
  },
  'GET /api/ride': { price: '$0.002', description: 'A ride, covered by the pass' },
  'POST /item': { price: '$0.001', description: 'One item, as an MCP tool' },
} satisfies CreateGateOptions['routes']

function send(event: MerchantEvent): void {
  process.send?.(event)
}

// The parent's `clock` command doubles as a barrier: its answer follows every event sent before it.
process.on('message', (command: MerchantCommand) => {
  if (command.type === 'clock') send({ type: 'clock-set', offsetMs: command.offsetMs })
})

function createMerchantGate() {
  const { network, asset, registry } = devnetFromEnv()
  const settler = privateKeyToAccount(required('TOLLGATE_SETTLER_KEY') as `0x${string}`)
  return createGate({
    routes: FAULT_ROUTES,
    payTo: required('TOLLGATE_PAY_TO'),
    networks: [
      evmNetwork({
        network,
        rpcUrl: required('TOLLGATE_RPC_URL'),
        assets: [asset],
        blockTimeSeconds: 1,
        exact: { settler, receiptPollingMs: 20, presenceCheckMs: 200 },
      }),
    ],
    secret: required('TOLLGATE_SECRET'),
    registry,
    store: createRedisStore({ url: required('TOLLGATE_REDIS_URL'), commandTimeoutMs: 1_500 }),
    publicUrl: required('TOLLGATE_PUBLIC_URL'),
    logger: { warn: (message) => send({ type: 'warning', message }) },
    // A claim held by a killed instance lapses 3 s after its last renewal: well inside what one
    // retrying agent waits (8 resends of `Retry-After: 1`), so kill-9 runs never race the lease.
    claimLeaseSeconds: 3,
  })
}

/** Tells the parent a priced handler of `run` started, and (once its response ended) ended. */
function counted(route: string) {
  return (request: Request, response: Response): void => {
    const caseId = request.get('x-fault-run') ?? ''
    send({ type: 'handler', phase: 'start', route, caseId })
    response.once('close', () => send({ type: 'handler', phase: 'end', route, caseId }))
    response.json({ route, run: caseId, payer: response.locals.tollgate?.payer ?? null })
  }
}

async function main(): Promise<void> {
  const gate = createMerchantGate()
  const createMcpServer = () => {
    const server = new McpServer({ name: 'fault-merchant', version: '0.0.0' })
    server.registerTool(
      'item',
      { description: 'One item ($0.001).', inputSchema: { run: z.string() } },
      withPayment(gate, 'item', async ({ run }: { run: string }) => {
        send({ type: 'handler', phase: 'start', route: 'mcp-item', caseId: run })
        send({ type: 'handler', phase: 'end', route: 'mcp-item', caseId: run })
        return { content: [{ type: 'text', text: JSON.stringify({ route: 'mcp-item', run }) }] }
      }),
    )
    return server
  }
  const mcp = createStreamableHttpHandler(createMcpServer)

  const app = express()
  app.disable('x-powered-by')
  app.all('/mcp', express.json({ limit: '64kb' }), (request, response) => {
    void mcp(request, response)
  })
  app.use(tollgate(gate))
  app.get('/api/item', counted('item'))
  app.post('/api/pass', counted('pass'))
  app.get('/api/ride', counted('ride'))

  const server = app.listen(Number(process.env.TOLLGATE_PORT ?? 0), '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  send({ type: 'ready', url: `http://127.0.0.1:${port}` })
  process.on('disconnect', () => process.exit(0))
}

main().catch((error: unknown) => {
  process.stderr.write(`fault-merchant: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
