import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type {
  ParentMessage,
  ServerMessage,
  ServerStartOptions,
  ServerStats,
  ServerUrls,
} from './bench-protocol.js'

/** The server process, seen from the parent. */
export type ServerChild = {
  urls: ServerUrls
  /** The server process's id. */
  pid: number
  /** Reads the server process's counters. */
  stats(): Promise<ServerStats>
  /** Stops every server and waits for the process to exit (and write its CPU profile, if any). */
  stop(): Promise<void>
}

/** Options of {@link startServerChild}. */
export type StartServerChildOptions = ServerStartOptions & {
  /** Folder for a `--cpu-prof` profile of the server process; undefined: no profiling. */
  cpuProfileDirectory: string | undefined
}

/**
 * Forks `server-main.ts` under tsx and starts the servers in it, so load generation (this
 * process) and serving (the child) each have a core.
 *
 * @example const child = await startServerChild({ devnet, secret, redisUrl, receiptPollingMs: 25, cpuProfileDirectory: undefined })
 * @throws {Error} when the process exits or reports a failure before it is ready
 */
export async function startServerChild(options: StartServerChildOptions): Promise<ServerChild> {
  const { cpuProfileDirectory, ...startOptions } = options
  const profile: string[] = []
  if (cpuProfileDirectory !== undefined) {
    mkdirSync(cpuProfileDirectory, { recursive: true })
    profile.push('--cpu-prof', '--cpu-prof-dir', cpuProfileDirectory)
  }
  const child: ChildProcess = fork(fileURLToPath(new URL('./server-main.ts', import.meta.url)), [], {
    // `--import tsx` resolves from the working directory: the bench package, which depends on tsx.
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    execArgv: ['--import', 'tsx', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(child, 'exit')
  const post = (message: ParentMessage): void => {
    child.send(message)
  }
  const pending = new Map<number, (stats: ServerStats) => void>()
  let nextId = 1
  const ready = new Promise<ServerUrls>((resolve, reject) => {
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'ready') resolve(message.urls)
      else if (message.type === 'failed') reject(new Error(`server process failed: ${message.message}`))
      else if (message.type === 'stats') {
        pending.get(message.id)?.(message.stats)
        pending.delete(message.id)
      }
    })
    void exited.then(([code]) => reject(new Error(`server process exited with code ${code}`)))
  })
  post({ type: 'start', options: startOptions })
  let urls: ServerUrls
  try {
    urls = await ready
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    urls,
    pid: child.pid as number,
    stats: () =>
      new Promise((resolve) => {
        const id = nextId++
        pending.set(id, resolve)
        post({ type: 'stats', id })
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      post({ type: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
