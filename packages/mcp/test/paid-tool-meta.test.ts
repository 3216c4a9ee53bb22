import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { type CreateGateOptions, createGate, createMemoryStore } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { afterEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { metaKeys } from '../src/meta-keys.js'
import { paidToolMeta } from '../src/paid-tool-meta.js'
import { withPayment } from '../src/with-payment.js'
import { connectOverHttp } from './support/connect-over-http.js'

// Listing prices needs no chain: the network's RPC is never called here.
const gateOptions: CreateGateOptions = {
  routes: {
    'POST /forecast': { price: '$0.01', description: 'Weather forecast' },
    'POST /quote': { price: () => '$0.02' },
  },
  payTo: '0x000000000000000000000000000000000000dEaD',
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret: 'mcp-price-meta-secret-0123456789abcdefgh',
  store: { ...createMemoryStore(), durable: true },
}

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

describe('paidToolMeta', () => {
  test('default: the official MCP client reads each paid tool price from tools/list', async () => {
    const gate = createGate(gateOptions)
    const runs: string[] = []
    const connection = await connectOverHttp(() => {
      const server = new McpServer({ name: 'weather', version: '1.0.0' })
      server.registerTool(
        'forecast',
        { description: 'Forecast', inputSchema: { city: z.string() }, _meta: paidToolMeta(gate, 'forecast') },
        withPayment(gate, 'forecast', async ({ city }) => {
          runs.push(city)
          return { content: [{ type: 'text', text: 'sunny' }] }
        }),
      )
      server.registerTool(
        'quote',
        { description: 'Quote', _meta: paidToolMeta(gate, 'quote') },
        withPayment(gate, 'quote', async () => ({ content: [{ type: 'text', text: '1' }] })),
      )
      server.registerTool('free', { description: 'Free' }, async () => ({ content: [] }))
      return server
    })
    closers.push(connection.close)
    const { tools } = await connection.client.listTools()
    const meta = Object.fromEntries(tools.map((tool) => [tool.name, tool._meta?.[metaKeys.price]]))
    expect(meta).toEqual({
      forecast: {
        route: 'POST /forecast',
        dynamic: false,
        accepts: [
          {
            scheme: 'tx',
            network: 'eip155:8453',
            asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
            amount: '10000',
            symbol: 'USDC',
            decimals: 6,
            display: '0.01 USDC',
          },
        ],
      },
      quote: { route: 'POST /quote', dynamic: true, accepts: [] },
      free: undefined,
    })
    // Listing runs nothing: the tools are only called when paid.
    expect(runs).toEqual([])
  })

  test('error: a tool no route prices is config_invalid', () => {
    const gate = createGate(gateOptions)
    expect(() => paidToolMeta(gate, 'nothing')).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    expect(paidToolMeta(gate, 'x', { resourceUrl: 'https://api.example.test/forecast' })).toMatchObject({
      [metaKeys.price]: { route: 'POST /forecast' },
    })
  })
})
