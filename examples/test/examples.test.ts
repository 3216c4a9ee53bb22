import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { createPaidTools } from '@tollgate/ai-sdk'
import {
  createClient,
  decodeMppChargeRequest,
  decodePaymentReceipt,
  encodePaymentCredential,
  parsePaymentChallenges,
  parseRfc3339,
} from '@tollgate/core'
import { evmWallet, mppChallengeNonce } from '@tollgate/core/evm'
import { type Devnet, startDevnet, testUsdcAbi } from '@tollgate/testkit'
import { MockLanguageModelV3 } from 'ai/test'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { examplesDir, freePort, runExample, startExample } from './run-example.js'

// Every example of every README runs here against a real devnet; money is read from the chain.
let devnet: Devnet
let scratch: string
const stops: (() => Promise<void>)[] = []
const servers: Record<'devnetApi' | 'expressApp' | 'honoApp', string> = {
  devnetApi: '',
  expressApp: '',
  honoApp: '',
}
const payTo = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720' as const

const usdcOf = (address: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: devnet.tokens.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })
const envOf = (account: number, apiUrl = servers.expressApp) => ({
  RPC_URL: devnet.rpcUrl,
  AGENT_KEY: devnet.accounts[account]!.privateKey,
  API_URL: apiUrl,
})
/** Runs `body` and returns how much USDC reached the examples' payee meanwhile. */
async function received(body: () => Promise<unknown>): Promise<bigint> {
  const before = await usdcOf(payTo)
  await body()
  return (await usdcOf(payTo)) - before
}

beforeAll(async () => {
  devnet = await startDevnet()
  expect(devnet.accounts[9]!.address).toBe(payTo)
  scratch = mkdtempSync(join(tmpdir(), 'tollgate-examples-'))
  for (const [name, file] of [
    ['devnetApi', 'src/devnet-api.ts'],
    ['expressApp', 'src/express-app.ts'],
    ['honoApp', 'src/hono-app.ts'],
  ] as const) {
    const port = await freePort()
    const server = await startExample(file, { RPC_URL: devnet.rpcUrl, PORT: String(port) }, /listening/)
    stops.push(server.stop)
    servers[name] = `http://127.0.0.1:${port}`
  }
})
afterAll(async () => {
  for (const stop of stops.splice(0)) await stop()
  await devnet?.stop()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('README examples on the devnet', () => {
  test('root README: the agent pays the API $0.001, read from the chain', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/devnet-agent.ts', envOf(1, servers.devnetApi)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect(stdout).toContain('"spentAtomic":"1000"')
  })

  test('express README: an unpaid request is a 402, the pass route has a handler, free routes pass', async () => {
    expect((await fetch(`${servers.expressApp}/api/search`)).status).toBe(402)
    expect((await fetch(`${servers.expressApp}/api/pass`, { method: 'POST' })).status).toBe(402)
    expect(await (await fetch(`${servers.expressApp}/health`)).json()).toEqual({ ok: true })
    // Discovery is served by the gate, in front of the app.
    const openapi = await (await fetch(`${servers.expressApp}/openapi.json`)).json()
    expect(openapi.paths['/api/search'].get['x-payment-info'].offers[0]).toMatchObject({ amount: '1000' })
  })

  test('core README: the gate serves its discovery documents and lists a dynamic price as null', async () => {
    const script = `import('./src/core-discovery.ts').then(async (module) => {
      const get = (path) => module.default.fetch(new Request('http://127.0.0.1' + path))
      const openapi = await (await get('/openapi.json')).json()
      const wellKnown = await (await get('/.well-known/x402')).json()
      const unpaid = await get('/api/search?q=x')
      process.stdout.write(JSON.stringify({
        openapi, wellKnown, builtOpenapi: module.openapi, price: module.price,
        paymentRequired: JSON.parse(Buffer.from(unpaid.headers.get('payment-required'), 'base64').toString()),
      }))
    })`
    const file = join(scratch, 'core-discovery-probe.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, script.replace('./src/core-discovery.ts', join(examplesDir, 'src/core-discovery.ts')))
    const { stdout } = await runExample(file, { RPC_URL: devnet.rpcUrl })
    const probe = JSON.parse(stdout)
    expect(probe.openapi).toEqual(probe.builtOpenapi)
    expect(probe.openapi.paths['/api/summarize'].post['x-payment-info'].offers[0].amount).toBeNull()
    expect(probe.wellKnown.resources).toEqual([
      'https://api.example.com/api/search',
      'https://api.example.com/api/summarize',
    ])
    expect(probe.price.accepts.map((option: { display: string }) => option.display)).toEqual(['0.001 USDC'])
    expect(probe.paymentRequired.extensions.bazaar.info.input).toEqual({ type: 'http', method: 'GET' })
  })

  test('hono README: the agent pays the Hono app $0.001, read from the chain; the pass route is priced, free routes pass', async () => {
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/devnet-agent.ts', envOf(1, servers.honoApp)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect((await fetch(`${servers.honoApp}/api/pass`, { method: 'POST' })).status).toBe(402)
    expect(await (await fetch(`${servers.honoApp}/health`)).json()).toEqual({ ok: true })
  })

  test('core README: toFetchHandler in a Next route handler and a Worker answers 402 unpaid, HEAD without a body', async () => {
    const script = `Promise.all([import('NEXT'), import('WORKER')]).then(async ([next, worker]) => {
      const get = await next.GET(new Request('http://127.0.0.1:3000/api/search?q=1'))
      const head = await next.HEAD(new Request('http://127.0.0.1:3000/api/search', { method: 'HEAD' }))
      const env = { RPC_URL: process.env.RPC_URL, TOLLGATE_SECRET: 'worker-secret-0123456789abcdef0123456789' }
      const weather = await worker.default.fetch(new Request('http://127.0.0.1/api/weather'), env)
      const free = await worker.default.fetch(new Request('http://127.0.0.1/health'), env)
      process.stdout.write(JSON.stringify([get.status, head.status, head.body, weather.status, free.status]))
    })`
    const file = join(scratch, 'fetch-handler-probe.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(
      file,
      script
        .replace('NEXT', join(examplesDir, 'src/fetch-handler-next.ts'))
        .replace('WORKER', join(examplesDir, 'src/fetch-handler-worker.ts')),
    )
    const { stdout } = await runExample(file, { RPC_URL: devnet.rpcUrl })
    // The Worker's handler answers every path it gets: an unpriced one is served.
    expect(JSON.parse(stdout)).toEqual([402, 402, null, 402, 200])
  })

  test('core README: the client pays with a file ledger and an approval rule', async () => {
    const env = { ...envOf(2), LEDGER_PATH: join(scratch, 'ledger.jsonl') }
    expect(await received(() => runExample('src/core-client.ts', env))).toBe(1000n)
  })

  test('core README: the client pays MPP first, read from the chain and the Payment-Receipt', async () => {
    // The fetch-style gate example sells `exact`, so it offers MPP challenges too: serve it.
    const script = `import { createServer } from 'node:http'
      import('./src/core-gate.ts').then(({ default: app }) => {
        createServer(async (incoming, outgoing) => {
          const headers = new Headers()
          for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value)
          const response = await app.fetch(new Request('http://127.0.0.1' + incoming.url, { method: incoming.method, headers }))
          outgoing.writeHead(response.status, Object.fromEntries(response.headers))
          outgoing.end(Buffer.from(await response.arrayBuffer()))
        }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'))
      })`
    const file = join(scratch, 'core-gate-server.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, script.replace('./src/core-gate.ts', join(examplesDir, 'src/core-gate.ts')))
    const port = await freePort()
    const server = await startExample(
      file,
      { RPC_URL: devnet.rpcUrl, SETTLER_KEY: devnet.accounts[8]!.privateKey, PORT: String(port) },
      /listening/,
    )
    stops.push(server.stop)
    let stdout = ''
    expect(
      await received(async () => {
        ;({ stdout } = await runExample('src/core-client-mpp.ts', envOf(2, `http://127.0.0.1:${port}`)))
      }),
    ).toBe(1000n)
    expect(stdout).toMatch(/^200 /)
    expect(stdout).toContain("scheme: 'mpp'")
    const receipt = JSON.parse(Buffer.from(stdout.trim().split('\n').at(-1)!, 'base64url').toString())
    expect(receipt).toMatchObject({ status: 'success', method: 'evm' })
  })

  test('core README: the fetch-style gate answers 402 with an exact offer', async () => {
    const script = `import('./src/core-gate.ts').then(async (module) => {
      const response = await module.default.fetch(new Request('http://127.0.0.1/api/search'))
      process.stdout.write(String(response.status) + ' ' + response.headers.get('payment-required'))
    })`
    const file = join(scratch, 'core-gate-probe.mts')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, script.replace('./src/core-gate.ts', join(examplesDir, 'src/core-gate.ts')))
    const { stdout } = await runExample(file, {
      RPC_URL: devnet.rpcUrl,
      SETTLER_KEY: devnet.accounts[8]!.privateKey,
    })
    const [status, header] = stdout.split(' ')
    expect(status).toBe('402')
    const offers = JSON.parse(Buffer.from(header!, 'base64').toString()).accepts as { scheme: string }[]
    expect(offers.map((offer) => offer.scheme).sort()).toEqual(['exact', 'tx'])
  })

  test('core README (MPP): the 402 carries a Payment challenge; a Payment credential is paid, read from the chain', async () => {
    process.env.RPC_URL = devnet.rpcUrl
    process.env.SETTLER_KEY = devnet.accounts[8]!.privateKey
    // The example keeps its gate's store in memory, and says so once: expected here.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { default: api } = (await import('../src/core-gate-mpp.js')) as {
      default: { fetch: (request: Request) => Promise<Response> }
    }
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringContaining('does not survive a restart'),
    ])
    warn.mockRestore()
    const url = 'http://127.0.0.1:4021/api/report'
    const offered = await api.fetch(new Request(url))
    expect(offered.status).toBe(402)
    expect(offered.headers.get('payment-required')).not.toBeNull()
    const [challenge] = parsePaymentChallenges(offered.headers.get('www-authenticate') ?? '').challenges
    expect(challenge).toMatchObject({ method: 'evm', intent: 'charge', description: 'Daily report' })
    const request = decodeMppChargeRequest(challenge!.request)
    const payer = privateKeyToAccount(devnet.accounts[6]!.privateKey)
    const authorization = {
      from: payer.address,
      to: request.recipient as `0x${string}`,
      value: BigInt(request.amount),
      validAfter: 0n,
      validBefore: BigInt(Math.floor(parseRfc3339(challenge!.expires)! / 1000)),
      nonce: mppChallengeNonce(challenge!),
    }
    const signature = await payer.signTypedData({
      domain: {
        name: devnet.tokens.usdc.name,
        version: devnet.tokens.usdc.version,
        chainId: devnet.chainId,
        verifyingContract: devnet.tokens.usdc.address,
      },
      types: {
        TransferWithAuthorization: [
          { name: 'from', type: 'address' },
          { name: 'to', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'validAfter', type: 'uint256' },
          { name: 'validBefore', type: 'uint256' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'TransferWithAuthorization',
      message: authorization,
    })
    const credential = encodePaymentCredential({
      challenge: challenge!,
      payload: {
        type: 'authorization',
        ...authorization,
        value: request.amount,
        validAfter: '0',
        validBefore: authorization.validBefore.toString(),
        signature,
      },
    })
    let paid: Response | undefined
    expect(
      await received(async () => {
        paid = await api.fetch(new Request(url, { headers: { Authorization: credential } }))
      }),
    ).toBe(10_000n)
    expect(paid!.status).toBe(200)
    expect(await paid!.json()).toEqual({ report: 'today' })
    expect(decodePaymentReceipt(paid!.headers.get('payment-receipt'))).toMatchObject({
      method: 'evm',
      status: 'success',
    })
  })

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
          account: privateKeyToAccount(devnet.accounts[0]!.privateKey),
          rpcUrls: { 'eip155:31337': devnet.rpcUrl },
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
          endpoint: `${servers.expressApp}/api/search`,
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
      command: fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)),
      args: ['src/mcp-server.ts'],
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
    stops.push(server.stop)
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

  test('prometheus README: the metrics endpoint counts the refusal', async () => {
    const port = await freePort()
    const server = await startExample(
      'src/prometheus-metrics.ts',
      { RPC_URL: devnet.rpcUrl, PORT: String(port) },
      /listening/,
    )
    stops.push(server.stop)
    expect((await fetch(`http://127.0.0.1:${port}/api/search`)).status).toBe(402)
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^tollgate_/m)
  })

  test('sqlite README: a gate on a SQLite store', async () => {
    const { stdout } = await runExample('src/sqlite-store.ts', {
      RPC_URL: devnet.rpcUrl,
      STORE_PATH: join(scratch, 'tollgate.db'),
    })
    expect(stdout.trim()).toBe('402')
  })

  test('sqlite README: a budget shared through a SQLite ledger', async () => {
    const { stdout } = await runExample('src/sqlite-ledger.ts', {
      LEDGER_PATH: join(scratch, 'budget.db'),
      AGENT_KEY: devnet.accounts[1]!.privateKey,
    })
    expect(JSON.parse(stdout.trim())).toMatchObject({ spent: '0', remaining: '20' })
  })

  test('redis README: a gate on a Redis store (a real redis-server)', async (context) => {
    const found = spawnSync('redis-server', ['--version']).status === 0
    if (!found && process.env.CI) throw new Error('redis-server is not installed')
    if (!found) return context.skip()
    const port = await freePort()
    const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'])
    stops.push(async () => {
      redis.kill('SIGTERM')
      if (redis.exitCode === null) await once(redis, 'exit')
    })
    await new Promise<void>((resolve) => {
      let output = ''
      redis.stdout.on('data', (chunk: Buffer) => {
        output += chunk
        if (output.includes('Ready to accept connections')) resolve()
      })
    })
    const { stdout } = await runExample('src/redis-store.ts', {
      RPC_URL: devnet.rpcUrl,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    })
    expect(stdout.trim()).toBe('402')
    const ledger = await runExample('src/redis-ledger.ts', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      AGENT_KEY: devnet.accounts[1]!.privateKey,
    })
    expect(JSON.parse(ledger.stdout.trim())).toMatchObject({ spent: '0', remaining: '20' })
  })

  test('demo-api README: the demo API from code answers an unpaid search with 402', async () => {
    const { stdout } = await runExample('src/demo-api.ts', {})
    expect(stdout.trim()).toBe('402')
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
      command: fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)),
      args: ['src/demo-mcp.ts'],
      cwd: examplesDir,
      env: { ...(process.env as Record<string, string>), ...envOf(8, servers.devnetApi) },
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
