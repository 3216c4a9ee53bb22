import { readdirSync, readFileSync } from 'node:fs'

/** CPU milliseconds (user + system) used so far, per process of the benchmark. */
export type ProcessCpu = { load: number; server: number; anvil: number; other: number }

const TICK_MS = 10 // USER_HZ is 100 on Linux

/**
 * Reads the CPU time used so far by this process (the load generator) and its descendants: the
 * server child, anvil and anything else (tsx's helpers, redis-server). Linux only (`/proc`);
 * elsewhere all zero. A difference of two readings around one load run is what each process spent
 * on that run.
 *
 * @example const before = readProcessCpu(); await run(); const spent = diffProcessCpu(before, readProcessCpu())
 */
export function readProcessCpu(): ProcessCpu {
  const result: ProcessCpu = { load: 0, server: 0, anvil: 0, other: 0 }
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return result
  }
  const parents = new Map<number, number>()
  const cpu = new Map<number, number>()
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name may hold spaces: fields are counted after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parents.set(Number(entry), Number(fields[1]))
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * TICK_MS)
    } catch {
      // Gone meanwhile.
    }
  }
  const isOurs = (pid: number): boolean => {
    for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current))
      if (current === process.pid) return true
    return false
  }
  result.load = cpu.get(process.pid) ?? 0
  for (const [pid, used] of cpu) {
    if (pid === process.pid || !isOurs(pid)) continue
    let command = ''
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (command.includes('anvil')) result.anvil += used
    else if (command.includes('server-main')) result.server += used
    else result.other += used
  }
  return result
}

/** What each process spent between two readings. */
export function diffProcessCpu(before: ProcessCpu, after: ProcessCpu): ProcessCpu {
  return {
    load: after.load - before.load,
    server: after.server - before.server,
    anvil: after.anvil - before.anvil,
    other: after.other - before.other,
  }
}
