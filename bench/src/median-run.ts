import type { LoadResult } from './run-load.js'

/**
 * The median run by requests/s.
 *
 * @example const row = medianRun(bareRuns)
 */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  const sorted = [...runs].sort((left, right) => left.requestsPerSecond - right.requestsPerSecond)
  return sorted[Math.floor((sorted.length - 1) / 2)] as LoadResult
}

/**
 * The median run by requests/s, carrying the ok and failed counts of all runs (none hidden).
 *
 * @example const row = medianRunAll(exactRuns)
 */
export function medianRunAll(runs: readonly LoadResult[]): LoadResult {
  const statusCounts: Record<string, number> = {}
  for (const run of runs)
    for (const [status, count] of Object.entries(run.statusCounts))
      statusCounts[status] = (statusCounts[status] ?? 0) + count
  return {
    ...medianRun(runs),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    ok: runs.reduce((sum, run) => sum + run.ok, 0),
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    statusCounts,
  }
}
