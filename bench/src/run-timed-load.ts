import { diffProcessCpu, readProcessCpu } from './read-process-cpu.js'
import { type LoadResult, runLoad } from './run-load.js'

/** A load run with the server's CPU time spent on it. */
export type TimedLoadResult = LoadResult & {
  /** Microseconds of the server process's CPU (user + system) per response of the measured run. */
  serverCpuUsPerRequest: number
}

/** Options of {@link createTimedLoad}. */
export type CreateTimedLoadOptions = {
  connections: number
  /** Seconds of unmeasured load before the first run against a URL, so the server's code is warm. */
  warmupSeconds: number
  durationSeconds: number
}

/**
 * A timed load run against one URL: a warm-up the first time the URL is loaded, then the measured
 * run, with the server process's CPU time over the measured run only. Requests/s tell what the machine serves with the load
 * generator on its other core; CPU per request tells what the server itself spends, which a busy
 * machine sways much less.
 *
 * @example const timed = createTimedLoad({ connections: 10, warmupSeconds: 2, durationSeconds: 10 }); const run = await timed(url, headers)
 */
export function createTimedLoad(
  options: CreateTimedLoadOptions,
): (url: string, headers?: Record<string, string>) => Promise<TimedLoadResult> {
  const { connections } = options
  const warm = new Set<string>()
  return async (url, headers = {}) => {
    if (options.warmupSeconds > 0 && !warm.has(url))
      await runLoad({ url, connections, durationSeconds: options.warmupSeconds, headers })
    warm.add(url)
    const before = readProcessCpu()
    const run = await runLoad({ url, connections, durationSeconds: options.durationSeconds, headers })
    const spent = diffProcessCpu(before, readProcessCpu())
    return { ...run, serverCpuUsPerRequest: run.requests > 0 ? (spent.server * 1000) / run.requests : 0 }
  }
}

/**
 * The order of a paired round's rows: as given in odd rounds, reversed in even ones, so no row is
 * always measured first or last (a machine that drifts during the run skews none of them).
 *
 * @example inRoundOrder(2, ['bare', 'gate']) // ['gate', 'bare']
 */
export function inRoundOrder<T>(round: number, rows: readonly T[]): T[] {
  return round % 2 === 1 ? [...rows] : [...rows].reverse()
}
