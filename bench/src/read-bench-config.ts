/** Every size of a benchmark run. Each comes from an environment variable; see README.md. */
export type BenchConfig = {
  /** `BENCH_DURATION_SECONDS`: seconds of load for the bare and pass rows. */
  durationSeconds: number
  /** `BENCH_WARMUP_SECONDS`: seconds of unmeasured load before each of those rows, so the JIT is warm. */
  warmupSeconds: number
  /** Rounds of (a) then (b), back to back; the pass ratio is the median of the paired ratios. */
  pairRounds: number
  /** `BENCH_CONNECTIONS`: concurrent connections of the load rows. */
  connections: number
  /** `BENCH_PROOFS`: fresh `tx` transfers, each proven and sent exactly once. */
  proofs: number
  /** `BENCH_EXACT_PAYMENTS`: fresh `exact` authorizations per stack (ours and x402's) at `connections`. */
  exactPayments: number
  /** `BENCH_SEQUENTIAL_PAYMENTS`: fresh `exact` authorizations per stack sent one at a time. */
  sequentialPayments: number
  /** `BENCH_EXACT_ROUNDS`: alternating rounds of (d) and (e); the payments are split between them. */
  exactRounds: number
  /** `BENCH_CLIENT_CALLS`: calls per side (client and plain fetch) of the client overhead measurement. */
  clientCalls: number
  /** `BENCH_MEMORY_CLAIMS`: claims made in the memory store to measure bytes per claim. */
  memoryClaims: number
  /** `BENCH_REDIS_PROOFS`: fresh `tx` proofs verified by a gate on Redis. `0` skips Redis. */
  redisProofs: number
  /** `BENCH_RECEIPT_POLLING_MS`: receipt polling of both settlers (ours and the x402 facilitator). */
  receiptPollingMs: number
  /**
   * `BENCH_EXACT_SIMULATION_MAX_AGE_MS`: `simulationMaxAgeMs` of our `exact` settler; 0 (the
   * default, as the scheme's) simulates again at settle, more reuses `verify`'s simulation.
   */
  exactSimulationMaxAgeMs: number
  /** `BENCH_CPU_PROF=1`: run the server process with `--cpu-prof`, writing to `bench/profiles/`. */
  cpuProfile: boolean
  /** `BENCH_RESULTS`: where to write the JSON results, relative to the bench folder. */
  resultsPath: string
  /**
   * `BENCH_ONLY`: run one group of rows instead of the whole benchmark. `hono-pass`: bare Hono and
   * the Hono gate with a valid pass, in `pairRounds` paired rounds. `exact`: rows (d) and (e) in
   * `exactRounds` alternating rounds and the exact targets. Default: everything.
   */
  only: 'hono-pass' | 'exact' | undefined
}

/**
 * Reads the benchmark sizes from `env`. The defaults finish a whole run in about two minutes on two
 * cores.
 *
 * @example const config = readBenchConfig(process.env)
 * @throws {Error} when a variable is not a number in its range
 */
export function readBenchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const connections = readNumber(env, 'BENCH_CONNECTIONS', 10, 1, 1000)
  return {
    durationSeconds: readNumber(env, 'BENCH_DURATION_SECONDS', 3, 0.1, 3600, 'fractions'),
    warmupSeconds: readNumber(env, 'BENCH_WARMUP_SECONDS', 2, 0, 600),
    pairRounds: readNumber(env, 'BENCH_PAIR_ROUNDS', 9, 1, 50),
    connections,
    // autocannon refuses fewer requests than connections.
    proofs: readNumber(env, 'BENCH_PROOFS', 1000, connections, 100_000),
    exactPayments: readNumber(env, 'BENCH_EXACT_PAYMENTS', 200, connections, 100_000),
    sequentialPayments: readNumber(env, 'BENCH_SEQUENTIAL_PAYMENTS', 50, 1, 100_000),
    exactRounds: readNumber(env, 'BENCH_EXACT_ROUNDS', 3, 1, 50),
    clientCalls: readNumber(env, 'BENCH_CLIENT_CALLS', 2000, 10, 1_000_000),
    memoryClaims: readNumber(env, 'BENCH_MEMORY_CLAIMS', 100_000, 1000, 1_000_000),
    redisProofs: readRedisProofs(env, connections),
    receiptPollingMs: readNumber(env, 'BENCH_RECEIPT_POLLING_MS', 25, 1, 10_000),
    exactSimulationMaxAgeMs: readNumber(env, 'BENCH_EXACT_SIMULATION_MAX_AGE_MS', 0, 0, 600_000),
    cpuProfile: env.BENCH_CPU_PROF === '1',
    resultsPath: env.BENCH_RESULTS?.trim() || 'results.json',
    only: readOnly(env),
  }
}

function readOnly(env: NodeJS.ProcessEnv): BenchConfig['only'] {
  const value = env.BENCH_ONLY?.trim() ?? ''
  if (value === '') return undefined
  if (value === 'hono-pass' || value === 'exact') return value
  throw new Error(`BENCH_ONLY "${value}" is not a row group; the ones there are: hono-pass, exact.`)
}

function readRedisProofs(env: NodeJS.ProcessEnv, connections: number): number {
  const value = readNumber(env, 'BENCH_REDIS_PROOFS', 300, 0, 100_000)
  return value === 0 ? 0 : Math.max(value, connections)
}

// A whole number from `min` to `max` (any number with `fractions`: seconds of load, where a
// fraction of a second serves runs that check the report's shape); `fallback` when unset.
function readNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  kind: 'integer' | 'fractions' = 'integer',
): number {
  const text = env[name]?.trim()
  if (text === undefined || text === '') return Math.max(fallback, min)
  const value = Number(text)
  const valid = kind === 'integer' ? Number.isInteger(value) : Number.isFinite(value)
  if (!valid || value < min || value > max) {
    throw new Error(
      `${name}="${text}" must be ${kind === 'integer' ? 'an integer' : 'a number'} from ${min} to ${max}.`,
    )
  }
  return value
}
