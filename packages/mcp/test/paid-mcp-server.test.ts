import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { createClient, createGate, TollgateError } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { usdcBalance, usdcRegistry, walletOf } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { paidMcpServer } from '../src/paid-mcp-server.js'
import { connectOverHttp } from './support/connect-over-http.js'

let devnet: Devnet
let api: Server
let apiUrl: string
const seen: string[] = []

// A paid API served by the gate's fetch-style `handle` on node:http: the real gate, on anvil.
beforeAll(async () => {
  devnet = await startDevnet()
  const gate = createGate({
    routes: { 'GET /price/:ticker': { price: '$0.01', description: 'A price' } },
    payTo: devnet.accounts[9]!.address,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl })],
    secret: 'mcp-test-secret-mcp-test-secret-mcp-0002',
    registry: usdcRegistry(devnet),
  })
  api = createServer(async (incoming, outgoing) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (typeof value === 'string') headers.set(name, value)
    }
    const request = new Request(`${apiUrl}${incoming.url}`, { method: incoming.method ?? 'GET', headers })
    const response = await gate.handle(request, (paid) => {
      const url = new URL(paid.url)
      seen.push(url.pathname + url.search)
      if (url.pathname.startsWith('/price/')) {
        const ticker = decodeURIComponent(url.pathname.slice('/price/'.length))
        return Response.json({ ticker, currency: url.searchParams.get('currency'), price: '101.5' })
      }
      if (url.pathname === '/motd')
        return new Response('hello', { headers: { 'content-type': 'text/plain' } })
      return Response.json({ error: 'not_found' }, { status: 404 })
    })
    outgoing.writeHead(response.status, Object.fromEntries(response.headers))
    outgoing.end(Buffer.from(await response.arrayBuffer()))
  })
  api.listen(0, '127.0.0.1')
  await once(api, 'listening')
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
})
afterAll(async () => {
  api?.closeAllConnections()
  await new Promise((resolve) => api?.close(resolve))
  await devnet?.stop()
})

async function serve(
  account: number,
  policy: Parameters<typeof createClient>[0]['policy'] = { budget: '$1' },
) {
  const client = createClient({
    wallets: [walletOf(devnet, account)],
    registry: usdcRegistry(devnet),
    policy,
  })
  const connection = await connectOverHttp(() =>
    paidMcpServer({
      client,
      tools: [
        {
          name: 'get_price',
          description: 'Price of a ticker ($0.01)',
          endpoint: `${apiUrl}/price/{ticker}`,
          params: {
            ticker: { type: 'string', description: 'Ticker symbol' },
            currency: { type: 'string', enum: ['usd', 'eur'], optional: true },
          },
          maxPrice: '$0.01',
        },
        { name: 'motd', description: 'Message of the day (free)', endpoint: `${apiUrl}/motd` },
        { name: 'gone', description: 'A route that does not exist', endpoint: `${apiUrl}/gone` },
        {
          name: 'cheap_price',
          description: 'Price of a ticker, capped below what the API asks',
          endpoint: `${apiUrl}/price/{ticker}`,
          params: { ticker: z.string() },
          maxPrice: '$0.005',
        },
      ],
    }),
  )
  return { tollgate: client, ...connection }
}

const call = async (served: { client: McpClient }, name: string, args: Record<string, unknown> = {}) =>
  (await served.client.callTool({ name, arguments: args })) as CallToolResult

describe('paidMcpServer against a gated API on anvil', () => {
  test('default: plain parameter specs become a strict schema; the path is percent-encoded and paid for', async () => {
    const served = await serve(1)
    const payer = devnet.accounts[1]!.address
    try {
      const { tools } = await served.client.listTools()
      expect(tools.find((tool) => tool.name === 'get_price')?.inputSchema).toMatchObject({
        properties: {
          ticker: { type: 'string', description: 'Ticker symbol' },
          currency: { enum: ['usd', 'eur'] },
        },
        required: ['ticker'],
        additionalProperties: false,
      })
      const before = await usdcBalance(devnet, payer)
      const result = await call(served, 'get_price', { ticker: 'BTC/USD', currency: 'eur' })
      expect(result.structuredContent).toEqual({ ticker: 'BTC/USD', currency: 'eur', price: '101.5' })
      expect(seen.at(-1)).toBe('/price/BTC%2FUSD?currency=eur')
      expect(result._meta?.['tollgate/payment']).toMatchObject({ amount: '10000', display: '0.01 USDC' })
      expect(before - (await usdcBalance(devnet, payer))).toBe(10_000n)
      expect(await served.tollgate.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
    } finally {
      await served.close()
    }
  })

  test('behavior: free answers pass through; text stays text; HTTP errors are isError without payment', async () => {
    const served = await serve(2)
    try {
      expect(await call(served, 'motd')).toEqual({ content: [{ type: 'text', text: 'hello' }] })
      const gone = await call(served, 'gone')
      expect(gone.isError).toBe(true)
      expect(gone.structuredContent).toMatchObject({
        error: 'http_404',
        status: 404,
        hint: expect.any(String),
      })
      expect(gone._meta).toBeUndefined()
      const invalid = await call(served, 'get_price', { ticker: '..' })
      expect(invalid.structuredContent).toMatchObject({ error: 'invalid_parameters' })
      const unknown = await call(served, 'get_price', { ticker: 'ETH', exchange: 'x' })
      expect(unknown.isError).toBe(true)
      expect(await served.client.callTool({ name: 'list_payments' })).toMatchObject({
        structuredContent: { payments: [] },
      })
    } finally {
      await served.close()
    }
  })

  test('error: a per-call cap is an isError result the model can act on, and nothing is paid', async () => {
    const served = await serve(3, { perCall: '$0.005' })
    const payer = devnet.accounts[3]!.address
    try {
      const before = await usdcBalance(devnet, payer)
      const result = await call(served, 'get_price', { ticker: 'ETH' })
      expect(result).toMatchObject({
        isError: true,
        structuredContent: { error: 'policy_per_call_exceeded', price: '$0.01', hint: expect.any(String) },
      })
      expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent)
      expect(await usdcBalance(devnet, payer)).toBe(before)
    } finally {
      await served.close()
    }
  })

  test("error: a price above the tool's maxPrice is price_above_limit, and nothing moves on chain", async () => {
    const served = await serve(4)
    const payer = devnet.accounts[4]!.address
    try {
      const before = await usdcBalance(devnet, payer)
      const payees = await usdcBalance(devnet, devnet.accounts[9]!.address)
      const { tools } = await served.client.listTools()
      expect(tools.find((tool) => tool.name === 'cheap_price')?.description).toContain('up to $0.005')
      const result = await call(served, 'cheap_price', { ticker: 'SOL' })
      expect(result).toMatchObject({
        isError: true,
        structuredContent: { error: 'price_above_limit', price: '0.01 USDC', limit: '$0.005' },
      })
      expect(result._meta).toBeUndefined()
      expect(await usdcBalance(devnet, payer)).toBe(before)
      expect(await usdcBalance(devnet, devnet.accounts[9]!.address)).toBe(payees)
      expect(await served.tollgate.spent()).toMatchObject({ payments: 0 })
      expect(await served.tollgate.ledger.records()).toEqual([])
    } finally {
      await served.close()
    }
  })
})

describe('paidMcpServer tool definitions', () => {
  const client = createClient({ wallets: [], policy: { budget: '$1' } })
  const tool = { name: 'quote', description: 'Quote', endpoint: 'https://api.example.com/quote' }

  test('error: reserved, duplicate and invalid tool definitions throw config_invalid at creation', () => {
    const codeOf = (tools: Parameters<typeof paidMcpServer>[0]['tools']) => {
      try {
        paidMcpServer({ client, tools })
        return 'created'
      } catch (error) {
        return TollgateError.is(error) ? error.code : error
      }
    }
    expect(codeOf([tool])).toBe('created')
    expect(codeOf([{ ...tool, name: 'get_budget' }])).toBe('config_invalid')
    expect(codeOf([tool, tool])).toBe('config_invalid')
    // A placeholder must be a required parameter (core's compilePaidEndpoint).
    expect(codeOf([{ ...tool, endpoint: 'https://api.example.com/price/{ticker}' }])).toBe('config_invalid')
    expect(
      codeOf([
        {
          ...tool,
          endpoint: 'https://api.example.com/price/{ticker}',
          params: { ticker: z.string().optional() },
        },
      ]),
    ).toBe('config_invalid')
  })
})
