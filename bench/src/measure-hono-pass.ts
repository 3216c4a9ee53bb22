import { inRoundOrder, type TimedLoadResult } from './run-timed-load.js'

/** Options of {@link measureHonoPass}. */
export type MeasureHonoPassOptions = {
  /** Bare Hono's base URL. */
  bareUrl: string
  /** Hono with a no-op async middleware: its base URL. */
  awaitingUrl: string
  /** The Hono gate's base URL (the `tollgate()` middleware). */
  gateUrl: string
  /** The base URL of Hono with the gate as the route's handler (`paidHandler()`). */
  routeUrl: string
  /** The path both serve, with its query. */
  path: string
  /** A valid pass bought at `gateUrl`, sent as `X-Payment-Pass` to bare Hono and to the gate. */
  passToken: string
  /** A valid pass bought at `routeUrl` (a pass is bound to its origin), sent there. */
  routePassToken: string
  /** Paired rounds. */
  rounds: number
  /** Runs one timed load (with warm-up) against a URL with headers. */
  timed: (url: string, headers: Record<string, string>) => Promise<TimedLoadResult>
  log: (message: string) => void
}

/** What {@link measureHonoPass} measured. */
export type HonoPassResult = {
  bareRuns: TimedLoadResult[]
  awaitingRuns: TimedLoadResult[]
  passRuns: TimedLoadResult[]
  routeRuns: TimedLoadResult[]
  /** Per round, the gate's requests/s over bare Hono's. */
  pairRatios: number[]
  /** Per round, the requests/s of the gate as the route's handler over bare Hono's. */
  routeRatios: number[]
  /** Per round, the gate's requests/s over those of Hono with the no-op async middleware. */
  awaitingRatios: number[]
  /** Per round, bare Hono's server CPU per request over the gate's: requests per server CPU-second, as a ratio. */
  pairCpuRatios: number[]
  /** The same for the gate as the route's handler. */
  routeCpuRatios: number[]
}

/**
 * Measures the Hono gate's pass path, as middleware and as the route's handler, against bare Hono
 * serving the same handler, as the Express pass row does: rounds of the four rows back to back
 * (in reverse order every other round), with requests that differ only in their pass (bare Hono
 * ignores the header), so only the server side differs.
 *
 * @example const { pairRatios, routeRatios } = await measureHonoPass({ bareUrl, awaitingUrl, gateUrl, routeUrl, path, passToken, routePassToken, rounds: 3, timed, log })
 */
export async function measureHonoPass(options: MeasureHonoPassOptions): Promise<HonoPassResult> {
  const headers = { 'x-payment-pass': options.passToken }
  const result: HonoPassResult = {
    bareRuns: [],
    awaitingRuns: [],
    passRuns: [],
    routeRuns: [],
    pairRatios: [],
    routeRatios: [],
    awaitingRatios: [],
    pairCpuRatios: [],
    routeCpuRatios: [],
  }
  const rows = [
    { runs: result.bareRuns, url: options.bareUrl, headers },
    { runs: result.awaitingRuns, url: options.awaitingUrl, headers },
    { runs: result.passRuns, url: options.gateUrl, headers },
    { runs: result.routeRuns, url: options.routeUrl, headers: { 'x-payment-pass': options.routePassToken } },
  ]
  for (let round = 1; round <= options.rounds; round++) {
    options.log(`(g)/(g2)/(h)/(h2) Hono round ${round} of ${options.rounds}`)
    for (const row of inRoundOrder(round, rows))
      row.runs.push(await options.timed(`${row.url}${options.path}`, row.headers))
    const [bare, awaiting, pass, route] = rows.map((row) => row.runs[row.runs.length - 1]!) as [
      TimedLoadResult,
      TimedLoadResult,
      TimedLoadResult,
      TimedLoadResult,
    ]
    result.pairRatios.push(pass.requestsPerSecond / bare.requestsPerSecond)
    result.routeRatios.push(route.requestsPerSecond / bare.requestsPerSecond)
    result.awaitingRatios.push(pass.requestsPerSecond / awaiting.requestsPerSecond)
    result.pairCpuRatios.push(bare.serverCpuUsPerRequest / pass.serverCpuUsPerRequest)
    result.routeCpuRatios.push(bare.serverCpuUsPerRequest / route.serverCpuUsPerRequest)
  }
  return result
}
