import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { compileScript } from '@tollgate/test-support'

/** Options of {@link startGateProcess}. */
export type StartGateProcessOptions = {
  /** The store every instance of the gate shares: one Redis, or one SQLite file on this machine. */
  store: { kind: 'redis'; url: string } | { kind: 'sqlite'; path: string }
  /** Redis `commandTimeoutMs` or SQLite `busyTimeoutMs`; default the store's own. */
  storeTimeoutMs?: number
  /** JSON-RPC endpoint of the chain. */
  rpcUrl: string
  /** Address of the token prices are paid in. */
  asset: string
  /** Who gets paid. */
  payTo: string
  /** The secret every instance shares, at least 32 bytes. */
  secret: string
  /** Milliseconds to wait for the ready line. Default 120,000 (shorter than the hook timeout of the `process` tests). */
  readyTimeoutMs?: number
}

/** A gate instance running in a child process. */
export type GateProcess = {
  /** Base URL, such as `"http://127.0.0.1:41234"`. */
  url: string
  pid: number
  /** What it wrote to stderr so far (the last 4,000 characters), for failure messages. */
  stderr(): string
  /** Kills it with SIGKILL, a crash that runs no cleanup, and waits for the process to exit. */
  kill(): Promise<void>
  /** Stops it with SIGTERM (it closes its server and store) and waits for the process to exit. */
  stop(): Promise<void>
}

const script = fileURLToPath(new URL('./gate-process.ts', import.meta.url))
const packageDirectory = fileURLToPath(new URL('..', import.meta.url))

/**
 * Starts `src/gate-process.ts` (compiled by `compileScript`) and resolves once it printed its URL.
 * A process left running when the test process exits is killed.
 *
 * @example
 * const gate = await startGateProcess({ store: { kind: 'redis', url: redis.url }, rpcUrl, asset, payTo, secret })
 * await fetch(`${gate.url}/api/search`) // 402
 * await gate.kill()
 * @throws {Error} when the process exits or stays silent before it is ready
 */
export async function startGateProcess(options: StartGateProcessOptions): Promise<GateProcess> {
  const args =
    options.store.kind === 'redis'
      ? ['--store', 'redis', '--redis-url', options.store.url]
      : ['--store', 'sqlite', '--sqlite-path', options.store.path]
  if (options.storeTimeoutMs !== undefined) args.push('--store-timeout-ms', String(options.storeTimeoutMs))
  const child = spawn(process.execPath, ['--enable-source-maps', await compileScript(script), ...args], {
    cwd: packageDirectory,
    env: {
      ...process.env,
      TOLLGATE_RPC_URL: options.rpcUrl,
      TOLLGATE_ASSET: options.asset,
      TOLLGATE_PAY_TO: options.payTo,
      TOLLGATE_SECRET: options.secret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const reap = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', reap)
  void exited.then(() => process.off('exit', reap))

  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name)
    await exited
  }
  const timeoutMs = options.readyTimeoutMs ?? 120_000
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
      exited.then(() => Promise.reject(new Error(`exited with ${child.exitCode ?? child.signalCode}`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    const ready = JSON.parse(line) as { url: string; pid: number }
    return {
      url: ready.url,
      pid: ready.pid,
      stderr: () => stderr,
      kill: () => signal('SIGKILL'),
      stop: () => signal('SIGTERM'),
    }
  } catch (error) {
    await signal('SIGKILL')
    throw new Error(`The gate process did not start: ${(error as Error).message}.\n${stderr}`, {
      cause: error,
    })
  } finally {
    clearTimeout(timer)
  }
}
