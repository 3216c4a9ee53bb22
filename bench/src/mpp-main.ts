/**
 * `pnpm --filter @tollgate/bench run bench:mpp`: only the MPP rows, beside the `exact` rows they
 * are compared with, on the same harness as `src/main.ts` (a devnet, the servers in one child
 * process, autocannon here, fresh payments each sent once, alternating rounds). Sizes come from
 * `BENCH_CONNECTIONS`, `BENCH_EXACT_PAYMENTS`, `BENCH_SEQUENTIAL_PAYMENTS`, `BENCH_EXACT_ROUNDS`.
 * Exits 1 when a paid request did not get a 200.
 */
import { randomBytes } from 'node:crypto'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { fetchPaymentRequired } from './fetch-payment-required.js'
import { findRequirement } from './find-requirement.js'
import { formatTable } from './format-table.js'
import { fundPayers } from './fund-payers.js'
import { makeExactPayments } from './make-exact-payments.js'
import { makeMppPayments } from './make-mpp-payments.js'
import { medianRunAll } from './median-run.js'
import { readBenchConfig } from './read-bench-config.js'
import { type LoadResult, runLoad } from './run-load.js'
import { type ServerChild, startServerChild } from './start-server-child.js'

const config = readBenchConfig(process.env)
const path = '/api/search-like?q=bench'

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

async function measure(devnet: Devnet, child: ServerChild): Promise<number> {
  const url = `${child.urls.gate}${path}`
  const rounds = Math.max(
    1,
    Math.min(config.exactRounds, Math.floor(config.exactPayments / config.connections)),
  )
  const perRound = Math.floor(config.exactPayments / rounds)
  const sequentialPerRound = Math.max(1, Math.floor(config.sequentialPayments / rounds))
  const total = rounds * (perRound + sequentialPerRound)
  log(`signing ${total} exact authorizations and ${total} MPP credentials`)
  const exactSets = (
    await makeExactPayments({
      rpcUrl: devnet.rpcUrl,
      payerKeys: await fundPayers(devnet, config.connections),
      requirements: findRequirement(await fetchPaymentRequired(url), 'exact'),
      count: total,
    })
  ).map((value) => ({ 'payment-signature': value }))
  const mppSets = (
    await makeMppPayments({
      url,
      payerKeys: await fundPayers(devnet, config.connections),
      chainId: devnet.chainId,
      domain: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
      count: total,
    })
  ).map((value) => ({ authorization: value }))
  const runs: Record<'exact' | 'mpp' | 'exactSequential' | 'mppSequential', LoadResult[]> = {
    exact: [],
    mpp: [],
    exactSequential: [],
    mppSequential: [],
  }
  for (let round = 0; round < rounds; round++) {
    log(`(d)/(f) round ${round + 1} of ${rounds}`)
    const concurrent = [round * perRound, (round + 1) * perRound] as const
    const start = rounds * perRound + round * sequentialPerRound
    const sequential = [start, start + sequentialPerRound] as const
    const load = (sets: Record<string, string>[], connections: number, range: readonly [number, number]) =>
      runLoad({ url, connections, headerSets: sets.slice(range[0], range[1]) })
    runs.exact.push(await load(exactSets, config.connections, concurrent))
    runs.mpp.push(await load(mppSets, config.connections, concurrent))
    runs.exactSequential.push(await load(exactSets, 1, sequential))
    runs.mppSequential.push(await load(mppSets, 1, sequential))
  }
  const rows: [string, number, LoadResult][] = [
    ['(d) gate, fresh exact (x402)', config.connections, medianRunAll(runs.exact)],
    ['(f) gate, fresh MPP credentials', config.connections, medianRunAll(runs.mpp)],
    ['(d) gate, fresh exact (x402), 1 conn', 1, medianRunAll(runs.exactSequential)],
    ['(f) gate, fresh MPP credentials, 1 conn', 1, medianRunAll(runs.mppSequential)],
  ]
  console.log(
    formatTable(
      ['row', 'conns', 'ok', 'failed', 'req/s', 'p50 ms', 'p99 ms'],
      rows.map(([label, connections, result]) => [
        label,
        String(connections),
        String(result.ok),
        String(result.failed),
        result.requestsPerSecond.toFixed(0),
        result.p50Ms.toFixed(1),
        result.p99Ms.toFixed(1),
      ]),
    ),
  )
  return rows.every(([, , result]) => result.failed === 0) ? 0 : 1
}

async function main(): Promise<number> {
  log('starting the devnet')
  const devnet = await startDevnet()
  try {
    const child = await startServerChild({
      devnet: devnet.toJSON(),
      secret: randomBytes(32).toString('hex'),
      redisUrl: undefined,
      receiptPollingMs: config.receiptPollingMs,
      exactSimulationMaxAgeMs: config.exactSimulationMaxAgeMs,
      cpuProfileDirectory: undefined,
    })
    try {
      return await measure(devnet, child)
    } finally {
      await child.stop()
    }
  } finally {
    await devnet.stop()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exitCode = 1
  },
)
