import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Devnet, startDevnet, testUsdcAbi } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { freePort } from '../test/run-example.js'
import { createFreshApp, type FreshApp, packAll, runInApp, startInApp, typecheck } from './fresh-app.js'

// The done test of the first hour: the packed tarballs, installed with npm into fresh apps outside
// the workspace (npm reaches only the registry and the tarballs), run the README examples against
// the devnet. App 1: Node 20, Express 5, AI SDK 6, every example. App 2: Node 22 from the
// registry's `node` package, Express 4, AI SDK 7.
const root = fileURLToPath(new URL('../..', import.meta.url))
const source = (file: string) => join(root, 'examples/src', file)
const payTo = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720' as const
let scratch: string
let devnet: Devnet
let tarballs: Record<string, string>
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
  '@modelcontextprotocol/sdk': '^1.32.0',
  '@langchain/core': '^1.4.0',
  langchain: '^1.5.0',
  'prom-client': '^15.1.0',
  tsx: '^4.20.0',
  typescript: '~5.9.0',
  viem: '^2.30.0',
  zod: '^4.1.8',
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tollgate-tarballs-'))
  ;[devnet, tarballs] = await Promise.all([startDevnet(), packAll(root, join(scratch, 'tarballs'))])
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

  test('Node 20, Express 5, AI SDK 6: every example type-checks and the paying ones pay', async () => {
    const files = [
      'devnet-api.ts',
      'devnet-agent.ts',
      'express-app.ts',
      'core-client.ts',
      'core-gate.ts',
      'langchain-tools.ts',
      'ai-sdk-tools.ts',
      'ai-sdk-approval.ts',
      'mcp-server.ts',
      'mcp-http.ts',
      'mcp-paid-tool.ts',
      'prometheus-metrics.ts',
      'redis-store.ts',
      'sqlite-store.ts',
      'testkit-devnet.ts',
    ]
    const app = await createFreshApp({
      dir: join(scratch, 'app-node20'),
      tarballs,
      dependencies: {
        ...common,
        express: '^5.1.0',
        '@types/express': '^5.0.0',
        '@types/node': '^20.0.0',
        ai: '^6.0.0',
      },
      files: files.map((file) => ({ from: source(file), to: file })),
      // better-sqlite3 compiles against the local Node headers when it has no prebuilt binary to fetch.
      ...(existsSync('/usr/include/node/node.h') ? { installEnv: { npm_config_nodedir: '/usr' } } : {}),
    })
    await typecheck(app)
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
  })

  test('Node 22 (registry `node` package), Express 4, AI SDK 7', async () => {
    const files = [
      'devnet-api.ts',
      'devnet-agent.ts',
      'express-app.ts',
      'ai-sdk-tools.ts',
      'v7/ai-sdk-tool-approval.ts',
    ]
    const { '@tollgate/sqlite': _sqlite, ...withoutSqlite } = tarballs
    const app = await createFreshApp({
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
      files: files.map((file) => ({ from: source(file), to: file.replace('v7/', '') })),
      node: 'node_modules/.bin/node',
    })
    const { stdout: version } = await promisify(execFile)(app.node, ['-p', 'process.versions.node'])
    expect(version).toMatch(/^22\./)
    await typecheck(app)
    expect(await payThrough(app, 'devnet-api.ts', 'devnet-agent.ts', 6, 1000n)).toMatch(/^200 /)
    const output = await payThrough(app, 'express-app.ts', 'ai-sdk-tools.ts', 7, 1000n)
    expect(JSON.parse(output)).toMatchObject({ payment: { amount: '1000', display: '0.001 USDC' } })
  })
})
