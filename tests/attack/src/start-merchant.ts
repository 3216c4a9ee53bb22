import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { compileScript } from '@tollgate/test-support'
import type { MerchantCommand, MerchantEvent } from './merchant-server.js'

/** Options of {@link startMerchant}. */
export type StartMerchantOptions = {
  /** JSON-RPC endpoint the gate verifies against (the suite's proxy in front of anvil). */
  rpcUrl: string
  /** The Redis every instance shares. */
  redisUrl: string
  chainId: number
  /** Token address prices are paid in. */
  asset: string
  payTo: string
  /** The secret every instance shares, at least 32 bytes. */
  secret: string
  /** Private key of the account that pays gas to settle `exact`; one per instance. */
  settlerKey: string
  /** The configured public origin, such as `http://shop.example`. */
  publicUrl: string
  /**
   * The server script to run, speaking the protocol of `merchant-server.ts`; default that file.
   * It is compiled with `compileScript` and run from this package's directory.
   */
  script?: string
  /** Port to listen on, such as the port of a killed instance; default a free one. */
  port?: number
  /** Called with every handler event. */
  onHandler(event: Extract<MerchantEvent, { type: 'handler' }>): void
  /** Called with every warning the gate reports to its logger. */
  onWarning(message: string): void
  /** Called with every refusal the gate's `onReject` hook saw (merchants that report them). */
  onRejection?(event: Extract<MerchantEvent, { type: 'rejection' }>): void
}

/** A merchant server running in a child process. */
export type Merchant = {
  url: string
  port: number
  /** Sends a command over IPC. */
  command(command: MerchantCommand): void
  /** Runs the gate's clock `offsetMs` ahead; resolves once the process confirmed it. */
  setClock(offsetMs: number): Promise<void>
  /** Whether the process is still running. */
  alive(): boolean
  /** What it wrote to stderr lately, for failure messages. */
  stderr(): string
  /** SIGKILL: a crash that runs no cleanup; resolves once the process is gone. */
  kill(): Promise<void>
}

const script = fileURLToPath(new URL('./merchant-server.ts', import.meta.url))
const packageDirectory = fileURLToPath(new URL('..', import.meta.url))

/**
 * Starts `merchant-server.ts` (compiled by `compileScript`) with an IPC channel and resolves once it
 * is listening. The process is killed when the test process exits.
 *
 * @example const merchant = await startMerchant({ rpcUrl, redisUrl, ..., onHandler: count })
 * @throws {Error} when it exits or stays silent for 60 s before it is ready
 */
export async function startMerchant(options: StartMerchantOptions): Promise<Merchant> {
  const compiled = await compileScript(options.script ?? script)
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', compiled], {
    cwd: packageDirectory,
    env: {
      ...process.env,
      TOLLGATE_RPC_URL: options.rpcUrl,
      TOLLGATE_REDIS_URL: options.redisUrl,
      TOLLGATE_CHAIN_ID: String(options.chainId),
      TOLLGATE_ASSET: options.asset,
      TOLLGATE_PAY_TO: options.payTo,
      TOLLGATE_SECRET: options.secret,
      TOLLGATE_SETTLER_KEY: options.settlerKey,
      TOLLGATE_PUBLIC_URL: options.publicUrl,
      TOLLGATE_PORT: String(options.port ?? 0),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const reap = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', reap)
  void exited.then(() => process.off('exit', reap))
  let timer: ReturnType<typeof setTimeout> | undefined
  const clockWaiters: ((offsetMs: number) => void)[] = []
  const ready = new Promise<string>((resolve, reject) => {
    child.on('message', (event: MerchantEvent) => {
      if (event.type === 'ready') resolve(event.url)
      else if (event.type === 'clock-set') for (const waiter of clockWaiters.splice(0)) waiter(event.offsetMs)
      else if (event.type === 'warning') options.onWarning(event.message)
      else if (event.type === 'rejection') options.onRejection?.(event)
      else options.onHandler(event)
    })
    void exited.then(() => reject(new Error(`exited with ${child.exitCode ?? child.signalCode}`)))
    timer = setTimeout(() => reject(new Error('not ready within 60 s')), 60_000)
  })
  try {
    const url = await ready
    return {
      url,
      port: Number(new URL(url).port),
      command: (command) => {
        if (child.connected) child.send(command)
      },
      setClock: (offsetMs) =>
        new Promise<void>((resolve) => {
          clockWaiters.push(() => resolve())
          child.send({ type: 'clock', offsetMs } satisfies MerchantCommand)
        }),
      alive: () => child.exitCode === null && child.signalCode === null,
      stderr: () => stderr,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited
      },
    }
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`The merchant did not start: ${(error as Error).message}\n${stderr}`, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}
