import { readdirSync, readFileSync } from 'node:fs'

/** A process seen in a tree: its id and command line. */
export type SeenProcess = { pid: number; command: string }

function readStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may hold spaces: read the fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '?', ppid: Number(fields[1]) }
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
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat === undefined) continue
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)])
  }
  const found: SeenProcess[] = []
  const queue = [...(children.get(root) ?? [])]
  while (queue.length > 0) {
    const pid = queue.shift()!
    found.push({ pid, command: commandOf(pid) })
    queue.push(...(children.get(pid) ?? []))
  }
  return found
}

/** Whether `pid` runs (a zombie waiting to be reaped does not count). */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid)
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X'
}

/**
 * Polls the process tree under `root` until stopped, remembering every descendant ever seen, so a
 * test can check afterwards that none of them outlived the run (orphans are re-parented, so they
 * cannot be found from the root later).
 */
export function watchTree(root: number, intervalMs = 20) {
  const seen = new Map<number, string>()
  const listeners: ((processes: SeenProcess[]) => void)[] = []
  const poll = () => {
    const now = descendantsOf(root)
    for (const { pid, command } of now) if (!seen.has(pid)) seen.set(pid, command)
    for (const listener of listeners) listener(now)
  }
  poll()
  const timer = setInterval(poll, intervalMs)
  return {
    /** Every descendant seen so far. */
    seen: (): SeenProcess[] => [...seen].map(([pid, command]) => ({ pid, command })),
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

/** The processes of `processes` still running after up to `graceMs`. */
export async function survivors(processes: readonly SeenProcess[], graceMs = 2000): Promise<SeenProcess[]> {
  const deadline = Date.now() + graceMs
  for (;;) {
    const alive = processes.filter((process) => isRunning(process.pid))
    if (alive.length === 0 || Date.now() >= deadline) return alive
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
