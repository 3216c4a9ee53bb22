/** Stops what a run started, last started first. */
export type Cleanup = {
  /** Registers a stop function. Added after `run` started, it runs at once. */
  add(stop: () => Promise<void>): void
  /** Runs every stop function once, last added first; the same promise for every caller. */
  run(): Promise<void>
}

/**
 * Creates a cleanup list for everything the demo starts (anvil, the API server, the MCP server),
 * so a failure, an interruption and a normal end all stop the same things, each at most once and
 * each within `timeoutMs`.
 *
 * @example
 * const cleanup = createCleanup()
 * cleanup.add(() => devnet.stop())
 * await cleanup.run()
 */
export function createCleanup(
  options: { timeoutMs?: number; onError?: (error: unknown) => void } = {},
): Cleanup {
  const timeoutMs = options.timeoutMs ?? 8000
  const stops: (() => Promise<void>)[] = []
  let running: Promise<void> | undefined
  const stopOne = async (stop: () => Promise<void>) => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        stop(),
        new Promise<void>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`a stop took longer than ${timeoutMs} ms`)), timeoutMs)
        }),
      ])
    } catch (error) {
      options.onError?.(error)
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    add(stop) {
      if (running !== undefined) void stopOne(stop)
      else stops.push(stop)
    },
    run() {
      running ??= (async () => {
        for (const stop of stops.reverse()) await stopOne(stop)
      })()
      return running
    },
  }
}
