import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/** What {@link pinCores} did, and what undoes it. */
export type PinnedCores = {
  /** Whether the two processes now run on cores of their own. */
  pinned: boolean
  /** Lets both run on every core again. */
  restore(): void
}

/**
 * Runs the server process on the last core and this process (the load generator) on the first,
 * every thread of each, with `taskset`, for rows that pair two servers' requests/s: left to the
 * scheduler, both processes now and then share a core or trade places, which moves one run of a
 * pair and not the other. Does nothing (`pinned: false`) with one core or without `taskset`.
 *
 * @example const cores = pinCores(child.pid); try { await measure() } finally { cores.restore() }
 */
export function pinCores(serverPid: number): PinnedCores {
  const cores = availableParallelism()
  const unpinned = { pinned: false, restore: () => {} }
  if (cores < 2) return unpinned
  const every = `0-${cores - 1}`
  const pin = (pid: number, list: string) =>
    execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' })
  try {
    pin(serverPid, String(cores - 1))
    pin(process.pid, '0')
  } catch {
    try {
      pin(serverPid, every)
      pin(process.pid, every)
    } catch {
      // No taskset: nothing was pinned.
    }
    return unpinned
  }
  return {
    pinned: true,
    restore: () => {
      pin(serverPid, every)
      pin(process.pid, every)
    },
  }
}
