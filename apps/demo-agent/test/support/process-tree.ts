import { readdirSync, readFileSync } from 'node:fs'

/**
 * A process seen in a tree: its id, its command line (as last seen) and its start time in clock
 * ticks since boot. The pid alone does not name a process: pids are reused, within seconds on a
 * busy machine (`/proc/sys/kernel/pid_max` is often 32768), so a pid plus its start time does.
 */
export type SeenProcess = { pid: number; command: string; startTime?: number }

function readStat(pid: number): { ppid: number; state: string; startTime: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may hold spaces: read the fields after the last ')'.
    // They start at field 3 (state); field 4 is the parent's pid, field 22 the start time.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '?', ppid: Number(fields[1]), startTime: Number(fields[19]) }
  } catch {
    return undefined
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
  } catch {
    return '?'
  }
}

/** The live descendants of `root` (children, grandchildren, …), from /proc. */
export function descendantsOf(root: number): SeenProcess[] {
  const children = new Map<number, number[]>()
  const startTimes = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat === undefined) continue
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)])
    startTimes.set(Number(entry), stat.startTime)
  }
  const found: SeenProcess[] = []
  const queue = [...(children.get(root) ?? [])]
  while (queue.length > 0) {
    const pid = queue.shift()!
    const startTime = startTimes.get(pid)
    found.push({ pid, command: commandOf(pid), ...(startTime === undefined ? {} : { startTime }) })
    queue.push(...(children.get(pid) ?? []))
  }
  return found
}

/**
 * Whether `pid` runs (a zombie waiting to be reaped does not count). With `startTime`, only the
 * process that started then counts: another process that was given the same pid later does not.
 */
export function isRunning(pid: number, startTime?: number): boolean {
  const stat = readStat(pid)
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false
  return startTime === undefined || stat.startTime === startTime
}

/**
 * Polls the process tree under `root` until stopped, remembering every descendant ever seen, so a
 * test can check afterwards that none of them outlived the run (orphans are re-parented, so they
 * cannot be found from the root later). A process is keyed by pid and start time, and its command
 * line is read again on every poll: the first sight of a child can be its parent's command line,
 * between fork and exec.
 */
export function watchTree(root: number, intervalMs = 20) {
  const seen = new Map<string, SeenProcess>()
  const listeners: ((processes: SeenProcess[]) => void)[] = []
  const poll = () => {
    const now = descendantsOf(root)
    for (const process of now) {
      const key = `${process.pid}@${process.startTime ?? '?'}`
      const known = seen.get(key)
      // Keep the last command line that names a program: an exiting process (a zombie) has an
      // empty one, and one that ended while we looked reads as '?'.
      if (known === undefined || (process.command !== '' && process.command !== '?')) seen.set(key, process)
    }
    for (const listener of listeners) listener(now)
  }
  poll()
  const timer = setInterval(poll, intervalMs)
  return {
    /** Every descendant seen so far, with the command line it had when last seen alive. */
    seen: (): SeenProcess[] => [...seen.values()],
    /** Resolves once a live descendant matches `test`. */
    until(test: (process: SeenProcess) => boolean): Promise<SeenProcess> {
      return new Promise((resolve) => {
        const listener = (processes: SeenProcess[]) => {
          const match = processes.find(test)
          if (match === undefined) return
          listeners.splice(listeners.indexOf(listener), 1)
          resolve(match)
        }
        listeners.push(listener)
      })
    },
    stop: () => clearInterval(timer),
  }
}

/**
 * The processes of `processes` still running after up to `graceMs` (a bound on the wait, not a
 * measurement: it returns as soon as every one is gone). A pid now used by an unrelated process
 * does not count as a survivor.
 */
export async function survivors(processes: readonly SeenProcess[], graceMs = 10_000): Promise<SeenProcess[]> {
  const deadline = Date.now() + graceMs
  for (;;) {
    const alive = processes.filter((process) => isRunning(process.pid, process.startTime))
    if (alive.length === 0 || Date.now() >= deadline) return alive
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
