import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { type RunningDemoApi, startDemoApi } from '@tollgate/demo-api'
import { createStreamableHttpHandler } from '@tollgate/mcp'
import { type Demo, startDemo, usdcBalance } from '@tollgate/test-support'
import type { Devnet } from '@tollgate/testkit'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDemoClient } from '../src/create-demo-client.js'
import { createDemoMcpServer } from '../src/create-demo-mcp-server.js'

const appDirectory = fileURLToPath(new URL('..', import.meta.url))
const SECRET = 'demo-mcp-secret-demo-mcp-secret-demo-mcp'
let demo: Demo<RunningDemoApi>
let devnet: Devnet
let api: RunningDemoApi
let payTo: Address

beforeAll(async () => {
  demo = await startDemo(startDemoApi, { secret: SECRET })
  ;({ devnet, api, payTo } = demo)
})
afterAll(async () => {
  await demo?.stop()
})

function childEnvironment(account: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TOLLGATE_PRIVATE_KEY: devnet.accounts[account]!.privateKey,
    TOLLGATE_RPC_URL: devnet.rpcUrl,
    TOLLGATE_API_URL: api.url,
    ...extra,
  }
}

/** Launches demo-mcp as a child process on stdio, with the official SDK client and no elicitation. */
async function launchStdio(account: number, extra: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: appDirectory,
    env: childEnvironment(account, extra),
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  await client.connect(transport)
  return { client, transport, stderr: () => stderr }
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult

describe('demo-mcp over stdio, against the demo API on anvil', () => {
  // One child for the tests that share account 0: starting tsx with viem costs seconds.
  let child: Awaited<ReturnType<typeof launchStdio>>
  beforeAll(async () => {
    child = await launchStdio(0)
  })
  afterAll(async () => {
    const pid = child?.transport.pid
    await child?.client.close()
    // Closing stdin ends the server: the process is gone without a signal.
    if (pid) expect(() => process.kill(pid, 0)).toThrow()
  })

  test('default: lists its tools, pays a search on chain, and reports budget and payments', async () => {
    const { client, stderr } = child
    const payer = devnet.accounts[0]!.address
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'get_budget',
      'issue_contract',
      'list_payments',
      'publish_post',
      'search',
      'verify_identity',
    ])
    const search = tools.find((tool) => tool.name === 'search')!
    expect(search.inputSchema).toMatchObject({
      type: 'object',
      properties: { q: { type: 'string', description: 'What to search for' } },
      required: ['q'],
      additionalProperties: false,
    })
    expect(tools.find((tool) => tool.name === 'verify_identity')!.inputSchema.required).toEqual([
      'name',
      'country',
      'documentNumber',
    ])

    const before = await usdcBalance(devnet, payTo)
    const result = await call(client, 'search', { q: 'agents' })
    expect(result.isError).toBeUndefined()
    expect(result.structuredContent).toMatchObject({ query: 'agents' })
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent)
    const payment = result._meta?.['tollgate/payment'] as { transaction: `0x${string}` }
    expect(payment).toMatchObject({
      method: 'payment',
      scheme: 'tx',
      network: devnet.network,
      amount: '1000',
      display: '0.001 USDC',
    })
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: payment.transaction })
    expect(receipt.from.toLowerCase()).toBe(payer.toLowerCase())
    expect((await usdcBalance(devnet, payTo)) - before).toBe(1_000n)

    const budget = await call(client, 'get_budget')
    expect(budget.structuredContent).toMatchObject({
      payments: 1,
      usd: { spent: '0.001', remaining: '1.999', limit: '2' },
    })
    const payments = await call(client, 'list_payments', { limit: 5 })
    expect(payments.structuredContent).toMatchObject({
      payments: [{ status: 'accepted', amount: '1000', transaction: payment.transaction, scheme: 'tx' }],
    })
    expect(JSON.stringify(payments.structuredContent)).not.toContain('signature')

    // Unknown arguments are refused before anything is paid.
    const unknown = await call(client, 'search', { q: 'x', limit: 3 })
    expect(unknown.isError).toBe(true)
    expect((unknown.content[0] as { text: string }).text).toMatch(/limit/)
    expect((await usdcBalance(devnet, payTo)) - before).toBe(1_000n)
    expect(stderr()).toContain('serving MCP on stdio')
  })

  test('error: a client without elicitation cannot approve, so the expensive tool is declined unpaid', async () => {
    const payer = devnet.accounts[0]!.address
    const before = await usdcBalance(devnet, payer)
    const result = await call(child.client, 'verify_identity', {
      name: 'Ada Lovelace',
      country: 'GB',
      documentNumber: 'X123',
    })
    expect(result.isError).toBe(true)
    expect(result.structuredContent).toMatchObject({ error: 'policy_approval_declined', price: '$0.60' })
    expect(await usdcBalance(devnet, payer)).toBe(before)
  })

  test('error: an exhausted budget is an isError result with policy_budget_exceeded, and nothing moves', async () => {
    const payer = devnet.accounts[2]!.address
    const { client } = await launchStdio(2, { TOLLGATE_BUDGET: '$0.0005' })
    try {
      const before = await usdcBalance(devnet, payer)
      const result = await call(client, 'search', { q: 'agents' })
      expect(result.isError).toBe(true)
      expect(result.structuredContent).toMatchObject({
        error: 'policy_budget_exceeded',
        price: '$0.001',
        hint: expect.stringContaining('Budget exhausted'),
      })
      expect(await usdcBalance(devnet, payer)).toBe(before)
      expect((await call(client, 'get_budget')).structuredContent).toMatchObject({
        payments: 0,
        usd: { remaining: '0.0005' },
      })
    } finally {
      await client.close()
    }
  })
})

describe('demo-mcp over Streamable HTTP, with approval through elicitation', () => {
  async function serveInProcess(account: number) {
    const { usdc } = devnet.tokens
    const client = createDemoClient({
      privateKey: devnet.accounts[account]!.privateKey,
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      asset: { address: usdc.address, decimals: 6, symbol: 'USDC', name: 'USD Coin' },
    })
    const handler = createStreamableHttpHandler(() => createDemoMcpServer({ client, apiUrl: api.url }))
    const server = createServer(handler).listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`)
    return {
      url,
      handler,
      async close() {
        await handler.close()
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      },
    }
  }

  async function connect(url: URL, answer: 'accept' | 'decline') {
    const questions: string[] = []
    const client = new Client({ name: 'http-test', version: '1.0.0' }, { capabilities: { elicitation: {} } })
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      questions.push(request.params.message)
      return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' }
    })
    await client.connect(new StreamableHTTPClientTransport(url))
    return { client, questions }
  }

  const identity = { name: 'Ada Lovelace', country: 'GB', documentNumber: 'X123' }

  test('behavior: the user declines -> nothing paid; the user accepts -> paid on chain', async () => {
    const payer = devnet.accounts[3]!.address
    const served = await serveInProcess(3)
    const declining = await connect(served.url, 'decline')
    const accepting = await connect(served.url, 'accept')
    try {
      expect(served.handler.sessions).toBe(2)
      const before = await usdcBalance(devnet, payer)
      const declined = await call(declining.client, 'verify_identity', identity)
      expect(declined.isError).toBe(true)
      expect(declined.structuredContent).toMatchObject({ error: 'policy_approval_declined', price: '$0.60' })
      expect(declining.questions).toEqual([
        `Pay up to $0.60 to ${new URL(api.url).host} for "verify_identity"?`,
      ])
      expect(await usdcBalance(devnet, payer)).toBe(before)

      const approved = await call(accepting.client, 'verify_identity', identity)
      expect(approved.isError).toBeUndefined()
      expect(approved.structuredContent).toMatchObject({ subject: { name: 'Ada Lovelace', country: 'GB' } })
      expect(approved._meta?.['tollgate/payment']).toMatchObject({ amount: '600000', display: '0.6 USDC' })
      expect(accepting.questions).toHaveLength(1)
      expect(before - (await usdcBalance(devnet, payer))).toBe(600_000n)
      // Under the approval threshold: paid without asking.
      const cheap = await call(accepting.client, 'publish_post', { title: 'Hello', body: 'From MCP' })
      expect(cheap.structuredContent).toMatchObject({ author: payer, content: { title: 'Hello' } })
      expect(accepting.questions).toHaveLength(1)
    } finally {
      await declining.client.close()
      await accepting.client.close()
      await served.close()
    }
  })

  test('behavior: `start -- --http 0` serves Streamable HTTP and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--http', '0'], {
      cwd: appDirectory,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TOLLGATE_'))),
        ...childEnvironment(4),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = once(child, 'exit')
    try {
      const deadline = Date.now() + 45_000
      while (!stdout.includes('\n') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      if (!stdout.includes('\n')) throw new Error(`demo-mcp did not start; stderr:\n${stderr}`)
      const { url } = JSON.parse(stdout) as { url: string }
      const client = new Client({ name: 'http-child-test', version: '1.0.0' })
      await client.connect(new StreamableHTTPClientTransport(new URL(url)))
      const result = await call(client, 'search', { q: 'over http' })
      expect(result._meta?.['tollgate/payment']).toMatchObject({ amount: '1000' })
      await client.close()
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toEqual([0, null])
  })
})
