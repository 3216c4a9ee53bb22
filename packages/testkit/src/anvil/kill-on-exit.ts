import type { ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()
const signals = ['SIGINT', 'SIGTERM'] as const

function killAll(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {}
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // When the application handles the signal itself, it decides when to exit, and the `exit`
  // hook below still runs then. Alone, we keep Node's default: kill the children and die.
  if (process.listenerCount(signal) > 1) return
  killAll()
  uninstall()
  process.kill(process.pid, signal)
}

function install(): void {
  process.on('exit', killAll)
  for (const signal of signals) process.on(signal, onSignal)
}

function uninstall(): void {
  process.off('exit', killAll)
  for (const signal of signals) process.off(signal, onSignal)
}

/**
 * Kills `child` when this process exits or is ended by SIGINT/SIGTERM, so no anvil outlives
 * the test run that started it.
 * @internal
 * @example const untrack = killOnExit(child); await stopped; untrack()
 * @returns a function that stops tracking `child`.
 */
export function killOnExit(child: ChildProcess): () => void {
  if (children.size === 0) install()
  children.add(child)
  return () => {
    if (children.delete(child) && children.size === 0) uninstall()
  }
}
