import autocannon from 'autocannon'

/** Options of {@link runLoad}. */
export type RunLoadOptions = {
  /** Full URL, such as `http://127.0.0.1:4021/api/search-like?q=bench`. */
  url: string
  /** Concurrent connections (one request in flight on each). */
  connections: number
  /** Seconds of load; ignored when `headerSets` is given. */
  durationSeconds?: number
  /** Headers sent with every request. */
  headers?: Record<string, string>
  /**
   * One header set per request: request `i` carries `headerSets[i]`, and the run sends exactly
   * `headerSets.length` requests, so each fresh payment is sent once and only once.
   */
  headerSets?: readonly Record<string, string>[]
}

/** What one load run measured. */
export type LoadResult = {
  /** Responses received. */
  requests: number
  /** Responses with status 200. */
  ok: number
  /** Requests that did not end in a 200: other statuses, connection errors and timeouts. */
  failed: number
  /** Responses per status code. */
  statusCounts: Record<string, number>
  durationSeconds: number
  requestsPerSecond: number
  /** Latency percentiles in milliseconds. */
  p50Ms: number
  p99Ms: number
}

/**
 * Runs autocannon against `url` from this process (loopback, HTTP/1.1 keep-alive, no pipelining)
 * and summarises the run. Requests/s are responses over the run's wall time.
 *
 * @example const result = await runLoad({ url, connections: 10, durationSeconds: 10 })
 */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const headerSets = options.headerSets
  let next = 0
  let lastResponseAt = 0
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    // Pipelining lets one load-generator core keep the server busy; paid rows send one at a time.
    pipelining: headerSets === undefined ? Number(process.env.BENCH_PIPELINING ?? 1) : 1,
    // Settlements queue behind each other under load; a slow answer is a result, not a timeout.
    timeout: 60,
    // autocannon ends a run at its first sampling tick after the last answer (or the duration):
    // its default tick of 1 s would idle up to a second at the end of every run.
    sampleInt: 50,
    ...(headerSets === undefined
      ? { duration: options.durationSeconds ?? 10 }
      : { amount: headerSets.length }),
    headers: options.headers ?? {},
    ...(headerSets === undefined
      ? {}
      : {
          requests: [
            {
              // Called once per request sent, across all connections of this run.
              setupRequest: (request) => ({
                ...request,
                headers: { ...request.headers, ...headerSets[next++ % headerSets.length] },
              }),
              onResponse: () => {
                lastResponseAt = Date.now()
              },
            },
          ],
        }),
  })
  const statusCounts: Record<string, number> = {}
  for (const [status, entry] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[status] = entry.count ?? 0
  }
  const ok = statusCounts['200'] ?? 0
  const sent = headerSets === undefined ? result.requests.total + result.errors : headerSets.length
  // autocannon ends a fixed-size run at its next sampling tick, so time those to the last answer.
  const finishedAt =
    headerSets === undefined || lastResponseAt === 0 ? result.finish.getTime() : lastResponseAt
  const durationSeconds = (finishedAt - result.start.getTime()) / 1000
  return {
    requests: result.requests.total,
    ok,
    failed: Math.max(0, sent - ok),
    statusCounts,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? result.requests.total / durationSeconds : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  }
}
