import { execFile, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { type Devnet, startDevnet, testUsdcAbi } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { installedPackages, listReadmes, readBlocks } from '../scripts/readme-blocks.js'
import { freePort } from '../test/run-example.js'
import {
  createFreshApp,
  type FreshApp,
  packAll,
  runInApp,
  startInApp,
  typecheck,
  workspaceSqlitePrebuild,
} from './fresh-app.js'

// The done test of the first hour: the packed tarballs, installed with npm into fresh apps outside
// the workspace (npm reaches only the registry and the tarballs), run the README examples against
// the devnet. App 1: Node 20, Express 5, AI SDK 6, every example. App 2: Node 22 from the
// registry's `node` package, Express 4, AI SDK 7: the root, Express, Hono, LangChain, AI SDK and
// MCP READMEs' examples (the adapters' own tests run on Node 22 in `npm test`).
const root = fileURLToPath(new URL('../..', import.meta.url))
const source = (file: string) => join(root, 'examples/src', file)
const payTo = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720' as const
let scratch = ''
let devnet: Devnet
let tarballs: Record<string, string> = {}
const stops: (() => Promise<void>)[] = []

const usdcOf = (address: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: devnet.tokens.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })
async function received(body: () => Promise<unknown>): Promise<bigint> {
  const before = await usdcOf(payTo)
  await body()
  return (await usdcOf(payTo)) - before
}
const common = {
  '@hono/node-server': '^2.1.0',
  '@modelcontextprotocol/sdk': '^1.32.0',
  '@langchain/core': '^1.4.0',
  langchain: '^1.5.0',
  hono: '^4.13.0',
  'prom-client': '^15.1.0',
  tsx: '^4.20.0',
  typescript: '~5.9.0',
  viem: '^2.30.0',
  zod: '^4.1.8',
}

const node20Files = [
  'devnet-api.ts',
  'devnet-agent.ts',
  'express-app.ts',
  'hono-app.ts',
  'hono-route.ts',
  'fetch-handler-next.ts',
  'fetch-handler-worker.ts',
  'core-client.ts',
  'core-gate.ts',
  'core-gate-mpp.ts',
  'langchain-tools.ts',
  'ai-sdk-tools.ts',
  'ai-sdk-approval.ts',
  'mcp-server.ts',
  'mcp-http.ts',
  'mcp-paid-tool.ts',
  'prometheus-metrics.ts',
  'redis-store.ts',
  'redis-ledger.ts',
  'sqlite-store.ts',
  'sqlite-ledger.ts',
  'testkit-devnet.ts',
  'testkit-solana.ts',
]
const node22Files = [
  'devnet-api.ts',
  'devnet-agent.ts',
  'express-app.ts',
  'hono-app.ts',
  'langchain-tools.ts',
  'mcp-paid-tool.ts',
  'ai-sdk-tools.ts',
  'v7/ai-sdk-tool-approval.ts',
]
let node20: FreshApp
let node22: FreshApp
/** Each app's type-check, started as soon as it is installed; a test awaits its own. */
const typechecks: Record<'node20' | 'node22', Promise<unknown>> = {
  node20: Promise.resolve(),
  node22: Promise.resolve(),
}
/** A type-check that failed is reported by the test that awaits it, not as an unhandled rejection. */
const settle = (promise: Promise<void>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tollgate-tarballs-'))
  const [started, packed, prebuild] = await Promise.all([
    // Each payment below has its own account, so no two share a nonce or a ledger file.
    startDevnet({ accounts: 13 }),
    packAll(root, join(scratch, 'tarballs')),
    workspaceSqlitePrebuild(root, join(scratch, 'prebuilds')),
  ])
  devnet = started
  tarballs = packed
  const { '@tollgate/sqlite': _sqlite, ...withoutSqlite } = tarballs
  // The two installs run side by side: mostly waiting on the npm cache and the registry.
  ;[node20, node22] = await Promise.all([
    createFreshApp({
      dir: join(scratch, 'app-node20'),
      tarballs,
      dependencies: {
        ...common,
        express: '^5.1.0',
        '@types/express': '^5.0.0',
        '@types/node': '^20.0.0',
        ai: '^6.0.0',
        // The optional peers and test runner that the core and testkit READMEs' install lines name.
        '@solana/kit': '^8.4.0',
        '@solana-program/system': '^0.14.1',
        '@solana-program/token': '^0.16.1',
        vitest: '^4.0.0',
        // The version the workspace compiled, so its binary serves as the prebuilt one.
        ...(prebuild ? { 'better-sqlite3': prebuild.version } : {}),
      },
      files: node20Files.map((file) => ({ from: source(file), to: file })),
      installEnv: {
        ...prebuild?.env,
        // Without a prebuilt binary, better-sqlite3 compiles against the local Node headers.
        ...(existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {}),
      },
    }).then((app) => {
      typechecks.node20 = settle(typecheck(app))
      return app
    }),
    createFreshApp({
      dir: join(scratch, 'app-node22'),
      tarballs: withoutSqlite,
      dependencies: {
        ...common,
        express: '^4.21.2',
        '@types/express': '^4.17.21',
        '@types/node': '^22.0.0',
        ai: '^7.0.0',
        node: '^22.0.0',
      },
      files: node22Files.map((file) => ({ from: source(file), to: file.replace('v7/', '') })),
      node: 'node_modules/.bin/node',
    }).then((app) => {
      typechecks.node22 = settle(typecheck(app))
      return app
    }),
  ])
})
afterAll(async () => {
  for (const stop of stops.splice(0)) await stop()
  await devnet?.stop()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

async function payThrough(app: FreshApp, server: string, agent: string, account: number, expected: bigint) {
  const port = await freePort()
  stops.push(await startInApp(app, server, { RPC_URL: devnet.rpcUrl, PORT: String(port) }, /listening/))
  const env = {
    RPC_URL: devnet.rpcUrl,
    AGENT_KEY: devnet.accounts[account]!.privateKey,
    API_URL: `http://127.0.0.1:${port}`,
    LEDGER_PATH: join(scratch, `ledger-${account}.jsonl`),
  }
  let stdout = ''
  expect(
    await received(async () => {
      stdout = await runInApp(app, agent, env)
    }),
  ).toBe(expected)
  return stdout
}

describe('the packed tarballs in fresh npm apps', () => {
  test('default: no sources, no workspace ranges, and internal dependencies as caret ranges', async () => {
    for (const [name, tarball] of Object.entries(tarballs)) {
      const { stdout: listing } = await promisify(execFile)('tar', ['tzf', tarball], { maxBuffer: 1 << 24 })
      expect(
        listing.split('\n').filter((path) => path.startsWith('package/src/')),
        name,
      ).toEqual([])
      const { stdout: manifest } = await promisify(execFile)('tar', [
        'xzf',
        tarball,
        '-O',
        'package/package.json',
      ])
      expect(manifest, name).not.toContain('workspace:')
      const { dependencies = {} } = JSON.parse(manifest) as { dependencies?: Record<string, string> }
      for (const [dependency, range] of Object.entries(dependencies)) {
        // The anvil binary stays pinned, so every devnet behaves alike.
        if (dependency !== '@foundry-rs/anvil') expect(range, `${name} -> ${dependency}`).toMatch(/^\^/)
      }
    }
  })

  test('default: the Node 20 app installs every package an install line of a README names', () => {
    const { dependencies } = JSON.parse(readFileSync(join(node20.dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    const named = listReadmes().flatMap((readme) =>
      readBlocks(readme)
        .filter((block) => block.language === 'sh')
        .flatMap((block) => installedPackages(block.content)),
    )
    expect(named.length).toBeGreaterThan(0)
    expect([...new Set(named)].filter((name) => !(name in dependencies))).toEqual([])
  })

  test('Node 20, Express 5, AI SDK 6: every example type-checks and the paying ones pay', async () => {
    const app = node20
    expect(await typechecks.node20).toBeUndefined()
    expect(await payThrough(app, 'devnet-api.ts', 'devnet-agent.ts', 1, 1000n)).toMatch(/^200 /)
    await payThrough(app, 'express-app.ts', 'core-client.ts', 2, 1000n)
    await payThrough(app, 'express-app.ts', 'langchain-tools.ts', 3, 1000n)
    await payThrough(app, 'express-app.ts', 'ai-sdk-tools.ts', 4, 1000n)
    const forecast = await runInApp(app, 'mcp-paid-tool.ts', {
      RPC_URL: devnet.rpcUrl,
      AGENT_KEY: devnet.accounts[5]!.privateKey,
    })
    expect(forecast).toContain('Sunny in Paris')
    const sqlite = await runInApp(app, 'sqlite-store.ts', {
      RPC_URL: devnet.rpcUrl,
      STORE_PATH: join(scratch, 'x.db'),
    })
    expect(sqlite.trim()).toBe('402')
    const ledger = await runInApp(app, 'sqlite-ledger.ts', {
      LEDGER_PATH: join(scratch, 'budget.db'),
      AGENT_KEY: devnet.accounts[1]!.privateKey,
    })
    expect(JSON.parse(ledger.trim())).toMatchObject({ spent: '0', remaining: '20' })
    await runInApp(app, 'testkit-devnet.ts', {})
    await runInApp(app, 'testkit-solana.ts', {})
  })

  test('Node 20: the server examples (MCP over stdio and HTTP, Prometheus, Redis) serve from the fresh app', async () => {
    const app = node20
    const env = { RPC_URL: devnet.rpcUrl, AGENT_KEY: devnet.accounts[8]!.privateKey }
    const stdio = new McpClient({ name: 'tarballs', version: '1.0.0' })
    await stdio.connect(
      new StdioClientTransport({
        command: app.node,
        args: [app.tsx, 'src/mcp-server.ts'],
        cwd: app.dir,
        env: { ...(process.env as Record<string, string>), ...env, API_URL: 'http://127.0.0.1:9' },
        stderr: 'pipe',
      }),
    )
    expect((await stdio.listTools()).tools.map((tool) => tool.name)).toContain('web_search')
    await stdio.close()
    const mcpPort = await freePort()
    stops.push(await startInApp(app, 'mcp-http.ts', { ...env, PORT: String(mcpPort) }, /MCP listening/))
    const http = new McpClient({ name: 'tarballs', version: '1.0.0' })
    await http.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${mcpPort}/mcp`)))
    expect((await http.listTools()).tools.map((tool) => tool.name)).toContain('web_search')
    await http.close()
    const metricsPort = await freePort()
    stops.push(
      await startInApp(app, 'prometheus-metrics.ts', { ...env, PORT: String(metricsPort) }, /listening/),
    )
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/search`)).status).toBe(402)
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toMatch(/^tollgate_/m)
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      if (process.env.CI) throw new Error('redis-server is not installed')
      return
    }
    const redisPort = await freePort()
    const redis = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'])
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
    const redisEnv = { ...env, REDIS_URL: `redis://127.0.0.1:${redisPort}` }
    expect((await runInApp(app, 'redis-store.ts', redisEnv)).trim()).toBe('402')
    expect(JSON.parse((await runInApp(app, 'redis-ledger.ts', redisEnv)).trim())).toMatchObject({
      spent: '0',
    })
  })

  test('Node 22 (registry `node` package), Express 4, AI SDK 7: root, Express, Hono, LangChain, AI SDK and MCP examples', async () => {
    const app = node22
    const { stdout: version } = await promisify(execFile)(app.node, ['-p', 'process.versions.node'])
    expect(version).toMatch(/^22\./)
    expect(await typechecks.node22).toBeUndefined()
    expect(await payThrough(app, 'devnet-api.ts', 'devnet-agent.ts', 6, 1000n)).toMatch(/^200 /)
    const output = await payThrough(app, 'express-app.ts', 'ai-sdk-tools.ts', 7, 1000n)
    expect(JSON.parse(output)).toMatchObject({ payment: { amount: '1000', display: '0.001 USDC' } })
    expect(await payThrough(app, 'hono-app.ts', 'devnet-agent.ts', 10, 1000n)).toMatch(/^200 /)
    await payThrough(app, 'express-app.ts', 'langchain-tools.ts', 11, 1000n)
    const forecast = await runInApp(app, 'mcp-paid-tool.ts', {
      RPC_URL: devnet.rpcUrl,
      AGENT_KEY: devnet.accounts[12]!.privateKey,
    })
    expect(forecast).toContain('Sunny in Paris')
  })
})
