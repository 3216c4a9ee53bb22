import { diffProcessCpu, type ProcessCpu, readProcessCpu } from './read-process-cpu.js'
import { type LoadResult, runLoad } from './run-load.js'

/** Options of {@link runExactRounds}. */
export type RunExactRoundsOptions = {
  /** The gate's and the x402 stack's base URLs. */
  gateUrl: string
  x402Url: string
  /** The paid path both serve, with its query. */
  path: string
  /** Concurrent payers of the load runs. */
  connections: number
  rounds: number
  /** Payments per round at `connections`. */
  perRound: number
  /** Payments per round with one connection. */
  sequentialPerRound: number
  /** One header set per payment of each stack: `rounds * (perRound + sequentialPerRound)` of them. */
  exactSets: readonly Record<string, string>[]
  x402Sets: readonly Record<string, string>[]
  /** MPP credentials for the gate, sent after both stacks in each round; omitted: no MPP rows. */
  mppSets?: readonly Record<string, string>[]
  log: (message: string) => void
}

/** What {@link runExactRounds} measured, one entry per round. */
export type ExactRoundsResult = {
  exact: LoadResult[]
  exactSequential: LoadResult[]
  x402: LoadResult[]
  x402Sequential: LoadResult[]
  mpp: LoadResult[]
  mppSequential: LoadResult[]
  /** Per round, (d) req/s over (e) req/s at `connections`. */
  concurrentRatios: number[]
  /** Per round, (d) p50 over (e) p50 with one connection. */
  p50Ratios: number[]
  /** CPU milliseconds per process over all rounds at `connections`, per stack. */
  cpu: { exact: ProcessCpu; x402: ProcessCpu }
}

/**
 * Runs the paid rows (d) and (e), and (f) when given, in alternating rounds: each round sends its
 * share of fresh payments to (d) then (e) at `connections`, then to both with one connection, then
 * to (f). The payments of round `r` at `connections` are `[r * perRound, (r + 1) * perRound)`; the
 * sequential ones follow all of those.
 *
 * @example const result = await runExactRounds({ gateUrl, x402Url, path, connections: 10, rounds: 3, perRound: 66, sequentialPerRound: 16, exactSets, x402Sets, log })
 */
export async function runExactRounds(options: RunExactRoundsOptions): Promise<ExactRoundsResult> {
  const { rounds, perRound, sequentialPerRound } = options
  const result: ExactRoundsResult = {
    exact: [],
    exactSequential: [],
    x402: [],
    x402Sequential: [],
    mpp: [],
    mppSequential: [],
    concurrentRatios: [],
    p50Ratios: [],
    cpu: { exact: zeroCpu(), x402: zeroCpu() },
  }
  const measured = async (stack: 'exact' | 'x402', run: Promise<LoadResult>): Promise<LoadResult> => {
    const before = readProcessCpu()
    const value = await run
    const spent = diffProcessCpu(before, readProcessCpu())
    const total = result.cpu[stack]
    for (const key of Object.keys(total) as (keyof ProcessCpu)[]) total[key] += spent[key]
    return value
  }
  const load = (
    url: string,
    sets: readonly Record<string, string>[],
    connections: number,
    range: readonly [number, number],
  ) => runLoad({ url: `${url}${options.path}`, connections, headerSets: sets.slice(range[0], range[1]) })
  for (let round = 0; round < rounds; round++) {
    options.log(`(d)/(e) round ${round + 1} of ${rounds}`)
    const concurrent = [round * perRound, (round + 1) * perRound] as const
    const start = rounds * perRound + round * sequentialPerRound
    const sequential = [start, start + sequentialPerRound] as const
    const exactRun = await measured(
      'exact',
      load(options.gateUrl, options.exactSets, options.connections, concurrent),
    )
    const x402Run = await measured(
      'x402',
      load(options.x402Url, options.x402Sets, options.connections, concurrent),
    )
    const exactSequentialRun = await load(options.gateUrl, options.exactSets, 1, sequential)
    const x402SequentialRun = await load(options.x402Url, options.x402Sets, 1, sequential)
    if (options.mppSets !== undefined) {
      result.mpp.push(await load(options.gateUrl, options.mppSets, options.connections, concurrent))
      result.mppSequential.push(await load(options.gateUrl, options.mppSets, 1, sequential))
    }
    result.exact.push(exactRun)
    result.x402.push(x402Run)
    result.exactSequential.push(exactSequentialRun)
    result.x402Sequential.push(x402SequentialRun)
    result.concurrentRatios.push(
      x402Run.requestsPerSecond > 0 ? exactRun.requestsPerSecond / x402Run.requestsPerSecond : 0,
    )
    result.p50Ratios.push(
      x402SequentialRun.p50Ms > 0 ? exactSequentialRun.p50Ms / x402SequentialRun.p50Ms : 0,
    )
  }
  return result
}

function zeroCpu(): ProcessCpu {
  return { load: 0, server: 0, anvil: 0, other: 0 }
}
