import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { delimiter, join } from 'node:path'

/** A running `redis-server` child process. */
export type RedisServer = {
  /** `redis://127.0.0.1:<port>`. */
  url: string
  /** The TCP port it listens on (reused by a restart). */
  port: number
  /** Stops it with SIGTERM and waits for the process to exit. */
  stop(): Promise<void>
  /** Kills it with SIGKILL (a crash) and waits for the process to exit. */
  kill(): Promise<void>
  /** Freezes it with SIGSTOP: connections stay open, nothing answers. */
  pause(): void
  /** Resumes a paused server with SIGCONT. */
  resume(): void
}

/** Options of {@link startRedisServer}. */
export type StartRedisServerOptions = {
  /** Port to listen on, such as the port of a server that was stopped. Default: a free port. */
  port?: number
  /** Milliseconds to wait for `PING` to answer. Default 10,000. */
  readyTimeoutMs?: number
  /**
   * A directory for an append-only file fsynced on every write, so data survives a crash and a
   * restart with the same directory. Default: no persistence.
   */
  persistDirectory?: string
}

/**
 * Finds the `redis-server` binary: `REDIS_SERVER_BIN`, else `redis-server` on `PATH`.
 * Returns `undefined` when there is none. A `REDIS_SERVER_BIN` that is not executable throws.
 */
export function findRedisServer(): string | undefined {
  const configured = process.env.REDIS_SERVER_BIN
  if (configured !== undefined && configured !== '') {
    accessSync(configured, constants.X_OK)
    return configured
  }
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue
    const candidate = join(directory, 'redis-server')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** Why the Redis suites are skipped, or `undefined` when they run. Fails loudly in CI. */
export function redisSkipReason(): string | undefined {
  if (findRedisServer() !== undefined) return undefined
  const reason = 'redis-server not found (set REDIS_SERVER_BIN or put redis-server on PATH)'
  if (process.env.CI) throw new Error(`CI must run the Redis suites, but ${reason}.`)
  return reason
}

/**
 * Starts a real `redis-server` on 127.0.0.1 (without persistence unless `persistDirectory` is
 * given) and waits until it answers `PING`.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer()
  if (binary === undefined) throw new Error('redis-server not found.')
  const port = options.port ?? (await findFreePort())
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...(options.persistDirectory === undefined
        ? ['--appendonly', 'no']
        : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.persistDirectory]),
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Never leave a server behind when the test worker exits without stopping it.
  const reap = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', reap)
  void exited.then(() => process.off('exit', reap))
  try {
    await waitForPing(port, child, options.readyTimeoutMs ?? 10_000)
  } catch (error) {
    child.kill('SIGKILL')
    await exited
    throw new Error(`redis-server did not start on port ${port}: ${stderr.trim()}`, { cause: error })
  }
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT')
      child.kill(name)
    }
    await exited
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  }
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}.`)
    if (await ping(port)) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`No PONG within ${timeoutMs} ms.`)
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    let reply = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}
