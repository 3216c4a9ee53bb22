import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import {
  type CreateGateOptions,
  createClient,
  createGate,
  type PaymentRequired,
  type SettleResponse,
  TollgateError,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { transfer, transfersOnChain, usdcBalance, usdcRegistry, walletOf } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { callPaidTool } from '../src/call-paid-tool.js'
import { metaKeys } from '../src/meta-keys.js'
import { paymentReceipt } from '../src/payment-receipt.js'
import { withPayment } from '../src/with-payment.js'
import { connectOverHttp } from './support/connect-over-http.js'

const SECRET = 'mcp-test-secret-mcp-test-secret-mcp-0001'
let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})

/** An MCP server with paywalled tools behind a gate on the devnet, served over Streamable HTTP. */
async function paidServer(scheme: 'tx' | 'exact', maxBodyBytes?: number) {
  const gateOptions: CreateGateOptions = {
    routes: {
      'POST /forecast': { price: '$0.01', description: 'Weather forecast' },
      'POST /broken': { price: '$0.01', description: 'A tool that fails' },
      'POST /drain': { price: '$0.01', description: 'A tool during which the payer spends its funds' },
    },
    payTo,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        ...(scheme === 'exact'
          ? { tx: false, exact: { settler: privateKeyToAccount(devnet.accounts[8]!.privateKey) } }
          : {}),
      }),
    ],
    secret: SECRET,
    registry: usdcRegistry(devnet),
    logger: { warn: () => {} },
    ...(maxBodyBytes === undefined ? {} : { replay: { maxBodyBytes } }),
  }
  const gate = createGate(gateOptions)
  const runs = { forecast: 0, broken: 0 }
  const payers: (string | undefined)[] = []
  const createServer = () => {
    const server = new McpServer({ name: 'weather', version: '1.0.0' })
    server.registerTool(
      'forecast',
      { description: 'Forecast for a city ($0.01)', inputSchema: { city: z.string() } },
      withPayment(gate, 'forecast', async ({ city }, extra) => {
        runs.forecast++
        payers.push(paymentReceipt(extra)?.payer)
        return {
          content: [{ type: 'text', text: `Sunny in ${city}` }],
          structuredContent: { city, sky: 'sunny' },
        }
      }),
    )
    server.registerTool(
      'broken',
      { description: 'Always fails ($0.01)' },
      withPayment(gate, 'broken', async () => {
        runs.broken++
        return { content: [{ type: 'text', text: 'upstream down' }], isError: true }
      }),
    )
    server.registerTool(
      'drain',
      { description: "Spends the payer's funds before settlement ($0.01)" },
      withPayment(gate, 'drain', async () => {
        // The payer (account 7) moves its whole balance away while the tool runs, after verification.
        const balance = await usdcBalance(devnet, devnet.accounts[7]!.address)
        await transfer(devnet, { from: 7, to: devnet.accounts[0]!.address, amount: balance })
        return { content: [{ type: 'text', text: 'the paid secret' }] }
      }),
    )
    server.registerTool('ping', { description: 'Free' }, async () => ({
      content: [{ type: 'text', text: 'pong' }],
    }))
    return server
  }
  const connection = await connectOverHttp(createServer)
  return { ...connection, runs, payers }
}

function tollgateClient(index: number, budget = '$1') {
  return createClient({
    wallets: [walletOf(devnet, index)],
    registry: usdcRegistry(devnet),
    policy: { budget },
  })
}

const paymentResponse = (result: CallToolResult) => result._meta?.[metaKeys.paymentResponse] as SettleResponse

describe('withPayment and callPaidTool on anvil (tx scheme)', () => {
  test('default: an unpaid call gets isError with the PaymentRequired as structuredContent and JSON text', async () => {
    const server = await paidServer('tx')
    try {
      const result = (await server.client.callTool({
        name: 'forecast',
        arguments: { city: 'Paris' },
      })) as CallToolResult
      expect(result.isError).toBe(true)
      const required = result.structuredContent as PaymentRequired
      expect(required).toMatchObject({
        x402Version: 2,
        error: 'payment_required',
        resource: { url: 'mcp://tool/forecast', description: 'Weather forecast' },
        accepts: [
          {
            scheme: 'tx',
            network: devnet.network,
            asset: devnet.tokens.usdc.address,
            amount: '10000',
            payTo,
          },
        ],
      })
      expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(required)
      expect(server.runs.forecast).toBe(0)
      // Tools the gate does not price are untouched.
      expect(await server.client.callTool({ name: 'ping' })).toMatchObject({ content: [{ text: 'pong' }] })
    } finally {
      await server.close()
    }
  })

  test('behavior: callPaidTool pays once on chain, retries with _meta, and gets the result with the receipt', async () => {
    const server = await paidServer('tx')
    const client = tollgateClient(1)
    const payer = devnet.accounts[1]!.address
    const before = await usdcBalance(devnet, payTo)
    try {
      const { result, payment } = await callPaidTool(server.client, client, {
        name: 'forecast',
        arguments: { city: 'Paris' },
      })
      expect(result.isError).toBeUndefined()
      expect(result.structuredContent).toEqual({ city: 'Paris', sky: 'sunny' })
      const settle = paymentResponse(result)
      expect(settle).toMatchObject({ success: true, network: devnet.network, payer })
      expect(payment).toMatchObject({
        method: 'payment',
        scheme: 'tx',
        amount: '10000',
        display: '0.01 USDC',
      })
      expect(payment?.transaction).toBe(settle.transaction)
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: settle.transaction as `0x${string}`,
      })
      expect(receipt.from.toLowerCase()).toBe(payer.toLowerCase())
      expect((await usdcBalance(devnet, payTo)) - before).toBe(10_000n)
      expect(server.runs.forecast).toBe(1)
      expect(server.payers).toEqual([payer])
      expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
    } finally {
      await server.close()
    }
  })

  test('behavior: the same _meta payment sent again gets the kept result, marked a replay; the tool does not run again', async () => {
    const server = await paidServer('tx')
    const client = tollgateClient(2)
    try {
      const unpaid = (await server.client.callTool({
        name: 'forecast',
        arguments: { city: 'Oslo' },
      })) as CallToolResult
      const pending = await client.pay(unpaid.structuredContent as PaymentRequired, {
        url: 'mcp://tool/forecast',
      })
      const call = {
        name: 'forecast',
        arguments: { city: 'Oslo' },
        _meta: { [metaKeys.payment]: pending.payload },
      }
      const paid = (await server.client.callTool(call)) as CallToolResult
      expect(paid.isError).toBeUndefined()
      expect(paymentResponse(paid)).toMatchObject({ success: true, extensions: { replay: { kept: true } } })
      await pending.accepted(paymentResponse(paid))
      const replayed = (await server.client.callTool(call)) as CallToolResult
      expect(replayed.isError).toBeUndefined()
      expect(replayed.content).toEqual(paid.content)
      expect(replayed.structuredContent).toEqual({ city: 'Oslo', sky: 'sunny' })
      expect(paymentResponse(replayed)).toMatchObject({
        success: true,
        transaction: paymentResponse(paid).transaction,
        extensions: { replay: true },
      })
      expect(server.runs.forecast).toBe(1)
      expect(await transfersOnChain(devnet, devnet.accounts[2]!.address, payTo)).toEqual([10_000n])
    } finally {
      await server.close()
    }
  })

  test('behavior: a result over replay.maxBodyBytes is not kept; the payment response says so and a retry is refused as used', async () => {
    const server = await paidServer('tx', 16)
    const client = tollgateClient(0)
    try {
      const unpaid = (await server.client.callTool({
        name: 'forecast',
        arguments: { city: 'Bergen' },
      })) as CallToolResult
      const pending = await client.pay(unpaid.structuredContent as PaymentRequired, {
        url: 'mcp://tool/forecast',
      })
      const call = {
        name: 'forecast',
        arguments: { city: 'Bergen' },
        _meta: { [metaKeys.payment]: pending.payload },
      }
      const paid = (await server.client.callTool(call)) as CallToolResult
      expect(paid.structuredContent).toEqual({ city: 'Bergen', sky: 'sunny' })
      expect(paymentResponse(paid)).toMatchObject({ success: true, extensions: { replay: { kept: false } } })
      await pending.accepted(paymentResponse(paid))
      const again = (await server.client.callTool(call)) as CallToolResult
      expect(again.isError).toBe(true)
      expect(again.structuredContent).toMatchObject({ x402Version: 2, error: 'payment_already_used' })
      expect(server.runs.forecast).toBe(1)
    } finally {
      await server.close()
    }
  })

  test('error: a policy that will not pay throws before anything is signed or sent', async () => {
    const server = await paidServer('tx')
    const client = tollgateClient(3, '$0.005')
    const before = await usdcBalance(devnet, devnet.accounts[3]!.address)
    try {
      const error = await callPaidTool(server.client, client, {
        name: 'forecast',
        arguments: { city: 'Rome' },
      }).catch((caught: unknown) => caught)
      expect(TollgateError.is(error) && error.code).toBe('policy_budget_exceeded')
      expect(await usdcBalance(devnet, devnet.accounts[3]!.address)).toBe(before)
      expect(server.runs.forecast).toBe(0)
    } finally {
      await server.close()
    }
  })
})

describe('withPayment and callPaidTool on anvil (exact scheme)', () => {
  test('behavior: callPaidTool signs an authorization, the gate settles it after the tool succeeded', async () => {
    const server = await paidServer('exact')
    const client = tollgateClient(4)
    const payer = devnet.accounts[4]!.address
    const before = await usdcBalance(devnet, payer)
    try {
      const { result, payment } = await callPaidTool(server.client, client, {
        name: 'forecast',
        arguments: { city: 'Lima' },
      })
      expect(result.content).toEqual([{ type: 'text', text: 'Sunny in Lima' }])
      const settle = paymentResponse(result)
      expect(settle).toMatchObject({ success: true, network: devnet.network, payer })
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: settle.transaction as `0x${string}`,
      })
      expect(receipt.status).toBe('success')
      // The gate's settler sent it, not the payer: that is what `exact` means.
      expect(receipt.from.toLowerCase()).toBe(devnet.accounts[8]!.address.toLowerCase())
      expect(before - (await usdcBalance(devnet, payer))).toBe(10_000n)
      expect(payment).toMatchObject({ scheme: 'exact', transaction: settle.transaction })
    } finally {
      await server.close()
    }
  })

  test('behavior: a tool that returns isError settles nothing, and the result is handed back unpaid', async () => {
    const server = await paidServer('exact')
    const client = tollgateClient(5)
    const payer = devnet.accounts[5]!.address
    const before = await usdcBalance(devnet, payer)
    try {
      const { result, payment } = await callPaidTool(server.client, client, { name: 'broken' })
      expect(result).toMatchObject({ isError: true, content: [{ text: 'upstream down' }] })
      expect(result._meta?.[metaKeys.paymentResponse]).toBeUndefined()
      expect(payment).toBeUndefined()
      expect(server.runs.broken).toBe(1)
      expect(await usdcBalance(devnet, payer)).toBe(before)
      expect((await client.spent()).payments).toBe(0)
    } finally {
      await server.close()
    }
  })

  test("error: when settlement fails, the tool's result is discarded and the failure returned", async () => {
    const server = await paidServer('exact')
    const client = tollgateClient(7)
    try {
      const unpaid = (await server.client.callTool({ name: 'drain' })) as CallToolResult
      const pending = await client.pay(unpaid.structuredContent as PaymentRequired, {
        url: 'mcp://tool/drain',
      })
      const result = (await server.client.callTool({
        name: 'drain',
        _meta: { [metaKeys.payment]: pending.payload },
      })) as CallToolResult
      expect(result.isError).toBe(true)
      expect(JSON.stringify(result)).not.toContain('the paid secret')
      const required = result.structuredContent as PaymentRequired
      expect(required).toMatchObject({ x402Version: 2, resource: { url: 'mcp://tool/drain' } })
      expect(required.error).toBe('insufficient_funds')
      expect(paymentResponse(result)).toMatchObject({
        success: false,
        transaction: '',
        errorReason: required.error,
      })
      await pending.rejected(required.error!)
      expect((await client.spent()).payments).toBe(0)
    } finally {
      await server.close()
    }
  })

  test('behavior: the same exact authorization sent again after it settled gets the kept result; one transfer on chain', async () => {
    const server = await paidServer('exact')
    const client = tollgateClient(6)
    try {
      const unpaid = (await server.client.callTool({
        name: 'forecast',
        arguments: { city: 'Kyiv' },
      })) as CallToolResult
      const pending = await client.pay(unpaid.structuredContent as PaymentRequired, {
        url: 'mcp://tool/forecast',
      })
      const call = {
        name: 'forecast',
        arguments: { city: 'Kyiv' },
        _meta: { [metaKeys.payment]: pending.payload },
      }
      const paid = (await server.client.callTool(call)) as CallToolResult
      expect(paymentResponse(paid)).toMatchObject({ success: true, extensions: { replay: { kept: true } } })
      await pending.accepted(paymentResponse(paid))
      const replayed = (await server.client.callTool(call)) as CallToolResult
      expect(replayed.isError).toBeUndefined()
      expect(replayed.content).toEqual([{ type: 'text', text: 'Sunny in Kyiv' }])
      expect(paymentResponse(replayed)).toMatchObject({
        success: true,
        transaction: paymentResponse(paid).transaction,
        extensions: { replay: true },
      })
      expect(server.runs.forecast).toBe(1)
      expect(await transfersOnChain(devnet, devnet.accounts[6]!.address, payTo)).toEqual([10_000n])
      // The same authorization for another tool is refused: the kept result answers its own call only.
      const other = (await server.client.callTool({
        name: 'broken',
        _meta: { [metaKeys.payment]: pending.payload },
      })) as CallToolResult
      expect(other.isError).toBe(true)
      expect(server.runs.broken).toBe(0)
    } finally {
      await server.close()
    }
  })
})
