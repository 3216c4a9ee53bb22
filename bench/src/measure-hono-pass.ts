import type { LoadResult } from './run-load.js'

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
  timed: (url: string, headers: Record<string, string>) => Promise<LoadResult>
  log: (message: string) => void
}

/** What {@link measureHonoPass} measured. */
export type HonoPassResult = {
  bareRuns: LoadResult[]
  awaitingRuns: LoadResult[]
  passRuns: LoadResult[]
  routeRuns: LoadResult[]
  /** Per round, the gate's requests/s over bare Hono's. */
  pairRatios: number[]
  /** Per round, the requests/s of the gate as the route's handler over bare Hono's. */
  routeRatios: number[]
  /** Per round, the gate's requests/s over those of Hono with the no-op async middleware. */
  awaitingRatios: number[]
}

/**
 * Measures the Hono gate's pass path, as middleware and as the route's handler, against bare Hono
 * serving the same handler, as the Express pass row does: rounds of bare then gated, back to back,
 * with requests that differ only in their pass (bare Hono ignores the header), so only the server
 * side differs.
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
  }
  for (let round = 1; round <= options.rounds; round++) {
    options.log(`(g)/(g2)/(h)/(h2) Hono round ${round} of ${options.rounds}`)
    const bare = await options.timed(`${options.bareUrl}${options.path}`, headers)
    const awaiting = await options.timed(`${options.awaitingUrl}${options.path}`, headers)
    const pass = await options.timed(`${options.gateUrl}${options.path}`, headers)
    const route = await options.timed(`${options.routeUrl}${options.path}`, {
      'x-payment-pass': options.routePassToken,
    })
    result.bareRuns.push(bare)
    result.awaitingRuns.push(awaiting)
    result.passRuns.push(pass)
    result.routeRuns.push(route)
    result.pairRatios.push(pass.requestsPerSecond / bare.requestsPerSecond)
    result.routeRatios.push(route.requestsPerSecond / bare.requestsPerSecond)
    result.awaitingRatios.push(pass.requestsPerSecond / awaiting.requestsPerSecond)
  }
  return result
}
