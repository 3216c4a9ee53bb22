import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { createPaidTools } from '@tollgate/ai-sdk'
import { createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { MockLanguageModelV3 } from 'ai/test'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { envOf, received, useExamplesWorld, world } from './examples-world.js'
import { examplesDir, freePort, nodeArgsOf, runExample, startExample } from './run-example.js'

// Every README example of the agent side (LangChain, AI SDK, MCP, the demo agent and MCP server,
// testkit) runs here against its own devnet; money is read
// from the chain. The other READMEs' examples are in the other `examples-*.test.ts` file, which
// runs alongside.
useExamplesWorld(['devnetApi', 'expressApp'])

describe('README examples on the devnet: agent adapters and demos', () => {
  test('langchain README: the tool pays and the artifact says what it cost', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/langchain-tools.ts', envOf(3)))
      }),
    ).toBe(1000n)
    expect(stdout).toContain("amount: '1000'")
  })

  test('ai-sdk README: the tool pays; amount is atomic, display is for people', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/ai-sdk-tools.ts', envOf(4)))
      }),
    ).toBe(1000n)
    expect(JSON.parse(stdout)).toMatchObject({ payment: { amount: '1000', display: '0.001 USDC' } })
  })

  test('ai-sdk README: the approval example asks the user once, then the SDK runs the tool and pays', async () => {
    const { answerWithApproval } = await import('../src/ai-sdk-approval.js')
    const usage = {
      inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 1, text: 1, reasoning: undefined },
    }
    const steps = [
      {
        content: [
          { type: 'tool-call' as const, toolCallId: 'call_1', toolName: 'web_search', input: '{"q":"x402"}' },
        ],
        finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
        usage,
        warnings: [],
      },
      {
        content: [{ type: 'text' as const, text: 'Done.' }],
        finishReason: { unified: 'stop' as const, raw: 'stop' },
        usage,
        warnings: [],
      },
    ]
    let step = 0
    const model = new MockLanguageModelV3({ doGenerate: async () => steps[Math.min(step++, 1)]! })
    const client = createClient({
      wallets: [
        evmWallet({
          account: privateKeyToAccount(world.devnet.accounts[0]!.privateKey),
          rpcUrls: { 'eip155:31337': world.devnet.rpcUrl },
          pollingIntervalMs: 50,
        }),
      ],
      // The policy asks above $0.005, and its own callback would decline: only the user's yes pays.
      policy: { budget: '$1', requireApprovalAbove: '$0.005', approve: () => false },
    })
    const tools = createPaidTools({
      client,
      tools: [
        {
          name: 'web_search',
          description: 'Web search',
          endpoint: `${world.servers.expressApp}/api/search`,
          params: { q: { type: 'string' } },
          maxPrice: '$0.01',
        },
      ],
    })
    const asked: unknown[] = []
    const askTheUser = async (toolCall: { toolName: string; input: unknown }) => {
      asked.push(toolCall)
      return true
    }
    expect(
      await received(() =>
        answerWithApproval(model, tools, [{ role: 'user', content: 'Search x402.' }], askTheUser),
      ),
    ).toBe(1000n)
    expect(asked).toEqual([expect.objectContaining({ toolName: 'web_search', input: { q: 'x402' } })])
  })

  test('mcp README: the stdio server pays a tool call from the official MCP client', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: await nodeArgsOf('src/mcp-server.ts'),
      cwd: examplesDir,
      env: { ...(process.env as Record<string, string>), ...envOf(5) },
      stderr: 'pipe',
    })
    const client = new McpClient({ name: 'examples', version: '1.0.0' })
    await client.connect(transport)
    try {
      let result: unknown
      expect(
        await received(async () => {
          result = await client.callTool({ name: 'web_search', arguments: { q: 'x402' } })
        }),
      ).toBe(1000n)
      expect(result).toMatchObject({ _meta: { 'tollgate/payment': { amount: '1000' } } })
      const invalid = await client.callTool({ name: 'web_search', arguments: { q: 5 } })
      expect(invalid.isError).toBe(true)
      expect(JSON.stringify(invalid.content)).toContain('invalid_parameters')
    } finally {
      await client.close()
    }
  })

  test('mcp README: Streamable HTTP serves the same paid tools', async () => {
    const port = await freePort()
    const server = await startExample('src/mcp-http.ts', { ...envOf(6), PORT: String(port) }, /MCP listening/)
    world.stops.push(server.stop)
    const client = new McpClient({ name: 'examples', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)))
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name)
      expect(names).toContain('web_search')
    } finally {
      await client.close()
    }
  })

  test('mcp README: withPayment charges an MCP tool and callPaidTool pays it', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/mcp-paid-tool.ts', envOf(7)))
      }),
    ).toBe(10_000n)
    expect(stdout).toContain('Sunny in Paris')
    expect(stdout).toContain('listed at 0.01 USDC')
  })

  test('demo-agent README: the scripted LangChain agent pays the demo API', async () => {
    const { stdout } = await runExample('src/demo-agent.ts', {})
    const payments = JSON.parse(stdout) as { route: string; amount: string; transaction: string }[]
    expect(payments.length).toBeGreaterThan(0)
    expect(payments).toContainEqual(expect.objectContaining({ route: 'GET /api/search', amount: '1000' }))
    for (const payment of payments) expect(payment.transaction).toMatch(/^0x[0-9a-f]{64}$/)
  })

  test('demo-mcp README: the demo MCP server from code pays a search, read from the chain', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: await nodeArgsOf('src/demo-mcp.ts'),
      cwd: examplesDir,
      env: { ...(process.env as Record<string, string>), ...envOf(8, world.servers.devnetApi) },
      stderr: 'pipe',
    })
    const client = new McpClient({ name: 'examples', version: '1.0.0' })
    await client.connect(transport)
    try {
      let result: { isError?: boolean } = {}
      expect(
        await received(async () => {
          result = (await client.callTool({ name: 'search', arguments: { q: 'x402' } })) as typeof result
        }),
      ).toBe(1000n)
      expect(result.isError).not.toBe(true)
    } finally {
      await client.close()
    }
  })

  test('testkit README: the EIP-3009 transfer and the Solana devnet', async () => {
    await runExample('src/testkit-devnet.ts', {})
    await runExample('src/testkit-solana.ts', {})
  })
})
