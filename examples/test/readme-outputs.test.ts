import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  createChainRegistry,
  createClient,
  createProofMessage,
  createSpendingPolicy,
  describePaymentProblem,
  parseAmount,
  TollgateError,
} from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { testUsdcAbi } from '@tollgate/testkit'
import { createPublicClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  isOutput,
  listReadmes,
  parseSample,
  type ReadmeBlock,
  readBlocks,
  repositoryRoot,
  shapeProblems,
} from '../scripts/readme-blocks.js'
import { examplesDir } from './run-example.js'

// Every output a README shows (JSON lines, payloads, messages) is compared with the real output of
// the program it describes; every shell block a newcomer runs for the demo API runs here, verbatim.
type Ready = {
  url: string
  payTo: `0x${string}`
  asset: { address: `0x${string}` }
  devnet: { rpcUrl: string; accounts: { address: `0x${string}`; privateKey: `0x${string}` }[] }
}
let scratch: string
let demo: ChildProcess | undefined
let ready: Ready

const outputBlocks = listReadmes().flatMap((readme) => readBlocks(readme).filter(isOutput))
const blockOf = (readme: string, text: string) => {
  const block = readBlocks(readme).find((candidate) => candidate.content.includes(text))
  if (!block) throw new Error(`${readme} has no block with ${text}`)
  return block
}
const shellOf = (block: ReadmeBlock) => block.content
const commandsFound = (...names: string[]) =>
  names.every((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0)

/** The real outputs behind each `<!-- output: name -->`. */
const outputs: Record<string, (block: ReadmeBlock) => Promise<unknown>> = {
  // The demo API's ready line, as printed by the README's own start command.
  'demo-api-ready': async () => ready,
  'tollgate-devnet': async () => {
    const bin = join(repositoryRoot, 'packages/testkit/bin/tollgate-devnet.js')
    const child = spawn(process.execPath, [bin, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      return JSON.parse(await firstLine(child))
    } finally {
      child.kill('SIGTERM')
      if (child.exitCode === null) await once(child, 'exit')
    }
  },
  // The problem the tool adapters answer when a payment would overspend: exactly the README's.
  'payment-problem': async () => {
    const registry = createChainRegistry()
    const asset = registry.asset('eip155:31337', 'USDC')
    const policy = createSpendingPolicy({ registry, budget: '$0.5', perCall: '$1' })
    const quote = (amount: string) => ({
      url: 'http://127.0.0.1/api/post',
      requirements: {
        scheme: 'tx',
        network: asset.network,
        asset: asset.address,
        amount: parseAmount(amount, asset.decimals).toString(),
        payTo: ready.payTo,
        maxTimeoutSeconds: 60,
        extra: {},
      },
      asset,
      amount: parseAmount(amount, asset.decimals),
    })
    await policy.commit(await policy.reserve(quote('0.3')))
    const error = await policy.reserve(quote('0.3')).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    if (!TollgateError.is(error)) throw new Error(`expected a TollgateError, got ${String(error)}`)
    return describePaymentProblem(error)
  },
  // bench/results.json, from the smallest run the benchmark accepts.
  'bench-results': async () => {
    const results = join(scratch, 'bench-results.json')
    const sizes = {
      BENCH_DURATION_SECONDS: '0.2',
      BENCH_WARMUP_SECONDS: '0',
      BENCH_PAIR_ROUNDS: '1',
      BENCH_CONNECTIONS: '1',
      BENCH_PROOFS: '1',
      BENCH_EXACT_PAYMENTS: '1',
      BENCH_SEQUENTIAL_PAYMENTS: '1',
      BENCH_EXACT_ROUNDS: '1',
      BENCH_CLIENT_CALLS: '10',
      BENCH_MEMORY_CLAIMS: '1000',
      // Redis counted when redis-server is there, so the field is a number as the README shows.
      BENCH_REDIS_PROOFS: spawnSync('redis-server', ['--version']).status === 0 ? '1' : '0',
      BENCH_RESULTS: results,
    }
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(repositoryRoot, 'bench'),
      env: { ...process.env, ...sizes },
      maxBuffer: 1 << 24,
    })
    return JSON.parse(readFileSync(results, 'utf8'))
  },
  'tx-proof-message': async () =>
    createProofMessage({
      network: '<network>',
      transaction: '<transaction>',
      challenge: '<extra.challenge>',
    }),
  // The PAYMENT-SIGNATURE our own client sends for a `tx` payment, decoded.
  'tx-payment-payload': async () => {
    const sent: string[] = []
    const client = createClient({
      wallets: [
        evmWallet({
          account: privateKeyToAccount(ready.devnet.accounts[2]!.privateKey),
          rpcUrls: { 'eip155:31337': ready.devnet.rpcUrl },
          pollingIntervalMs: 50,
        }),
      ],
      preferences: { schemes: ['tx'] },
      fetch: async (input, init) => {
        const header = new Headers(init?.headers).get('payment-signature')
        if (header) sent.push(header)
        return fetch(input, init)
      },
    })
    const response = await client.fetch(`${ready.url}/api/search?q=payload`)
    expect(response.status).toBe(200)
    expect(sent).toHaveLength(1)
    return JSON.parse(Buffer.from(sent[0]!, 'base64').toString())
  },
}

async function firstLine(child: ChildProcess): Promise<string> {
  let output = ''
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      if (output.includes('\n')) resolve(output.split('\n')[0]!)
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code} before a line: ${output}`)))
  })
}

const balanceOf = (address: `0x${string}`) =>
  createPublicClient({ transport: http(ready.devnet.rpcUrl) }).readContract({
    address: ready.asset.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

beforeAll(async () => {
  // Inside the workspace (pnpm --filter finds it from any folder below), ignored by git.
  const cache = join(examplesDir, 'node_modules/.cache')
  mkdirSync(cache, { recursive: true })
  scratch = mkdtempSync(join(cache, 'readme-shell-'))
  const start = blockOf('apps/demo-api/README.md', '> ready.json')
  // A process group, so stopping it stops pnpm and the demo it runs.
  demo = spawn('bash', ['-c', shellOf(start)], { cwd: scratch, detached: true, stdio: 'ignore' })
  const file = join(scratch, 'ready.json')
  for (let attempt = 0; ; attempt++) {
    const text = readFileSync(file, { encoding: 'utf8', flag: 'a+' })
    if (text.includes('\n')) {
      ready = JSON.parse(text.split('\n')[0]!) as Ready
      break
    }
    if (demo.exitCode !== null) throw new Error(`the demo API exited with ${demo.exitCode}`)
    if (attempt > 1100) throw new Error('the demo API printed no ready line')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}, 120_000)
afterAll(async () => {
  if (demo?.pid !== undefined && demo.exitCode === null) {
    const exited = once(demo, 'exit')
    process.kill(-demo.pid, 'SIGTERM')
    await exited
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('README outputs', () => {
  test('default: every JSON block of every README names the check of its real output', () => {
    const unnamed = outputBlocks
      .filter((block) => block.output === undefined || !(block.output in outputs))
      .map((block) => `${block.readme}:${block.line}: <!-- output: ${block.output ?? '?'} --> is not checked`)
    expect(unnamed).toEqual([])
  })

  test.for(outputBlocks.map((block) => [`${block.readme}:${block.line}`, block] as const))(
    'behavior: %s has the shape of the real output',
    async ([_where, block], context) => {
      // Without redis-server the benchmark skips Redis and writes null where the README shows a number.
      if (block.output === 'bench-results' && spawnSync('redis-server', ['--version']).status !== 0) {
        if (process.env.CI) throw new Error('redis-server is not installed')
        return context.skip()
      }
      const actual = await outputs[block.output!]!(block)
      if (typeof actual === 'string') expect(actual).toBe(block.content)
      else expect(shapeProblems(parseSample(block.content), actual)).toEqual([])
    },
  )

  test('behavior: the payment problem the README shows is the one a $0.3 call gets after $0.3 of a $0.5 budget', async () => {
    const block = blockOf('packages/langchain/README.md', '"policy_budget_exceeded"')
    expect(await outputs['payment-problem']!(block)).toEqual(JSON.parse(block.content))
  })

  test('error: an output that lost or gained a field is caught', () => {
    const sample = parseSample('{ "a": 1, "b": { … }, "c": [{ "d": "x" }, …] }')
    expect(shapeProblems(sample, { a: 2, b: { any: true }, c: [{ d: 'y' }, { d: 'z' }] })).toEqual([])
    expect(shapeProblems(sample, { a: 2, b: {}, c: [{ d: 1 }], e: null })).toEqual([
      '$.c[0].d: the README shows string, the output has number',
      '$.e: in the output, not in the README',
    ])
    expect(shapeProblems(sample, { a: 'x', c: [] })).toEqual([
      '$.a: the README shows number, the output has string',
      '$.b: in the README, not in the output',
    ])
  })
})

describe('README shell blocks', () => {
  test('behavior: "Pay it by hand" pays one search with curl; the replay gets the same answer, unpaid', async (context) => {
    const tools = ['jq', 'xxd', 'base64', 'curl']
    if (!commandsFound(...tools)) {
      if (process.env.CI) throw new Error(`${tools.join(', ')} are needed (.ci/run installs them)`)
      return context.skip()
    }
    const script = shellOf(blockOf('apps/demo-api/README.md', 'PAYMENT-SIGNATURE: $PAYMENT'))
    const replay = `\necho '--- replay'\ncurl -s -i "$URL/api/search?q=hello" -H "PAYMENT-SIGNATURE: $PAYMENT"\n`
    writeFileSync(join(scratch, 'pay-by-hand.sh'), script + replay)
    const before = await balanceOf(ready.payTo)
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', 'pay-by-hand.sh'], {
      cwd: scratch,
    })
    const [paid, replayed] = stdout.split('--- replay')
    expect(paid).toMatch(/^HTTP\/1\.1 200 OK/m)
    expect(paid).toMatch(/^payment-response: /im)
    // The replay gets the kept answer back, and no second payment is taken.
    expect(replayed).toMatch(/^HTTP\/1\.1 200 OK/m)
    expect(replayed).toMatch(/^payment-replay: true/im)
    expect(replayed!.split('\r\n\r\n')[1]).toBe(paid!.split('\r\n\r\n')[1])
    expect((await balanceOf(ready.payTo)) - before).toBe(1000n)
  })
})
