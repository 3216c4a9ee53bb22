import type { LoadResult } from './run-load.js'

/** Options of {@link measureHonoPass}. */
export type MeasureHonoPassOptions = {
  /** Bare Hono's base URL. */
  bareUrl: string
  /** Hono with a no-op async middleware: its base URL. */
  awaitingUrl: string
  /** The Hono gate's base URL. */
  gateUrl: string
  /** The path both serve, with its query. */
  path: string
  /** A valid pass of the Hono gate, sent as `X-Payment-Pass` to both. */
  passToken: string
  /** Paired rounds. */
  rounds: number
  /** Runs one timed load (with warm-up) against a URL with headers. */
  timed: (url: string, headers: Record<string, string>) => Promise<LoadResult>
  log: (message: string) => void
}

/** What {@link measureHonoPass} measured. */
export type HonoPassResult = {
  bareRuns: LoadResult[]
  awaitingRuns: LoadResult[]
  passRuns: LoadResult[]
  /** Per round, the gate's requests/s over bare Hono's. */
  pairRatios: number[]
  /** Per round, the gate's requests/s over those of Hono with the no-op async middleware. */
  awaitingRatios: number[]
}

/**
 * Measures the Hono gate's pass path against bare Hono serving the same handler, as the Express
 * pass row does: rounds of bare then gated, back to back, with byte-identical requests (bare Hono
 * ignores the pass header), so only the server side differs.
 *
 * @example const { pairRatios } = await measureHonoPass({ bareUrl, gateUrl, path, passToken, rounds: 3, timed, log })
 */
export async function measureHonoPass(options: MeasureHonoPassOptions): Promise<HonoPassResult> {
  const headers = { 'x-payment-pass': options.passToken }
  const result: HonoPassResult = {
    bareRuns: [],
    awaitingRuns: [],
    passRuns: [],
    pairRatios: [],
    awaitingRatios: [],
  }
  for (let round = 1; round <= options.rounds; round++) {
    options.log(`(g)/(g2)/(h) Hono round ${round} of ${options.rounds}`)
    const bare = await options.timed(`${options.bareUrl}${options.path}`, headers)
    const awaiting = await options.timed(`${options.awaitingUrl}${options.path}`, headers)
    const pass = await options.timed(`${options.gateUrl}${options.path}`, headers)
    result.bareRuns.push(bare)
    result.awaitingRuns.push(awaiting)
    result.passRuns.push(pass)
    result.pairRatios.push(pass.requestsPerSecond / bare.requestsPerSecond)
    result.awaitingRatios.push(pass.requestsPerSecond / awaiting.requestsPerSecond)
  }
  return result
}
