import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import type { Address, Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { killOnExit } from './kill-on-exit.js'
import { resolveAnvilBinary } from './resolve-anvil-binary.js'

/** Options of {@link startAnvil}. */
export interface StartAnvilOptions {
  /** Chain id the node reports. Default `31337`. */
  chainId?: number
  /** Seconds between blocks (interval mining). Default: none, one block per transaction (automine). */
  blockTime?: number
  /** TCP port on 127.0.0.1. Default `0`: a free port picked by the operating system. */
  port?: number
  /** BIP-39 mnemonic the dev accounts derive from. Default anvil's public `test test … junk`. */
  mnemonic?: string
  /** Number of dev accounts. Default `10`. */
  accounts?: number
  /** Balance of each dev account, in whole ether. Default `10_000n`. */
  balance?: bigint
  /** Path of the anvil executable. Default: `TOLLGATE_ANVIL_BINARY`, else the one in `@foundry-rs/anvil`. */
  binary?: string
  /** More command-line arguments for anvil, e.g. `['--hardfork', 'cancun']`. Default none. */
  extraArguments?: readonly string[]
  /** Milliseconds to wait for the node to answer JSON-RPC. Default `30_000`. */
  startupTimeoutMs?: number
}

/** A dev account of a local chain. Its key is public test material, never a real secret. */
export interface AnvilAccount {
  /** Checksummed address. */
  address: Address
  /** 32-byte private key. */
  privateKey: Hex
}

/** A running anvil node. It does not keep Node alive, and it is killed when Node exits. */
export interface Anvil {
  /** JSON-RPC endpoint, `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string
  /** The port the node listens on. */
  readonly port: number
  /** The chain id the node reports. */
  readonly chainId: number
  /** Process id of the anvil process. */
  readonly pid: number
  /** The funded dev accounts, in anvil's order. */
  readonly accounts: readonly AnvilAccount[]
  /** Stops the node and resolves once the process has exited and its port is free. Idempotent. */
  stop(): Promise<void>
}

const stopGraceMs = 5_000
const stderrTailLength = 4_000

/**
 * Starts a local anvil node on 127.0.0.1 and resolves once it answers JSON-RPC. Several nodes
 * can run at once; each gets its own free port. Uses the binary from `@foundry-rs/anvil` and
 * never downloads anything.
 * @example
 * const anvil = await startAnvil({ chainId: 8453 })
 * // … use anvil.rpcUrl …
 * await anvil.stop()
 * @throws {Error} when the binary is missing, anvil exits early (e.g. the port is taken) or it
 * does not answer within `startupTimeoutMs`.
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337
  const accountCount = options.accounts ?? 10
  assertInteger('chainId', chainId, 1)
  assertInteger('accounts', accountCount, 0)
  assertInteger('port', options.port ?? 0, 0, 65_535)
  if (options.blockTime !== undefined && !(options.blockTime > 0)) {
    throw new Error(`blockTime must be a positive number of seconds, got ${options.blockTime}`)
  }
  const argumentList = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--chain-id',
    String(chainId),
    '--accounts',
    String(accountCount),
    '--balance',
    String(options.balance ?? 10_000n),
    '--color',
    'never',
    ...(options.mnemonic === undefined ? [] : ['--mnemonic', options.mnemonic]),
    ...(options.blockTime === undefined ? [] : ['--block-time', String(options.blockTime)]),
    ...(options.extraArguments ?? []),
  ]
  const child = spawn(options.binary ?? resolveAnvilBinary(), argumentList, {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  })
  const untrack = killOnExit(child)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    const onGone = (): void => {
      exited = true
      untrack()
      resolve()
    }
    child.once('exit', onGone)
    // A binary that cannot be spawned emits 'error' and never 'exit'. The listener stays, so a
    // later 'error' (a failed kill) is never an uncaught exception.
    child.on('error', () => {
      if (child.pid === undefined) onGone()
    })
  })

  let stderrTail = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-stderrTailLength)
  })

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.ref()
      child.kill('SIGTERM')
      const escalation = setTimeout(() => child.kill('SIGKILL'), stopGraceMs)
      await exit
      clearTimeout(escalation)
    }
  }

  try {
    const timeoutMs = options.startupTimeoutMs ?? 30_000
    const deadline = Date.now() + timeoutMs
    const banner = await waitForBanner(child, () => stderrTail, timeoutMs)
    if (banner.privateKeys.length !== accountCount) {
      throw new Error(`anvil listed ${banner.privateKeys.length} dev keys, expected ${accountCount}`)
    }
    const rpcUrl = `http://127.0.0.1:${banner.port}`
    await waitForRpc(rpcUrl, chainId, deadline, () => exited)
    // Once running, the node must not hold the event loop open: scripts that forget stop() still exit.
    child.unref()
    unrefStream(child.stdout)
    unrefStream(child.stderr)
    if (child.pid === undefined) throw new Error('anvil has no process id')
    return {
      rpcUrl,
      port: banner.port,
      chainId,
      pid: child.pid,
      accounts: banner.privateKeys.map((privateKey) => ({
        address: privateKeyToAddress(privateKey),
        privateKey,
      })),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

function assertInteger(
  name: string,
  value: number,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new Error(`${name} must be an integer from ${minimum} to ${maximum}, got ${value}`)
  }
}

function unrefStream(stream: unknown): void {
  ;(stream as { unref?: () => void }).unref?.()
}

interface Banner {
  port: number
  privateKeys: Hex[]
}

// anvil prints its dev keys, then "Listening on 127.0.0.1:<port>" once the socket is bound. With
// `--port 0` that line is the only place the chosen port appears.
function waitForBanner(
  child: ChildProcessByStdio<null, Readable, Readable>,
  stderrTail: () => string,
  timeoutMs: number,
): Promise<Banner> {
  return new Promise((resolve, reject) => {
    let text = ''
    let done = false
    const finish = (error: Error | undefined, banner?: Banner): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      child.off('exit', onExit)
      child.off('error', onError)
      if (error) reject(error)
      else resolve(banner!)
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      const detail = stderrTail().trim() || text.trim().split('\n').slice(-3).join(' ')
      finish(new Error(`anvil exited (${code ?? signal}) before it was ready: ${detail}`))
    }
    const onError = (error: Error): void => finish(new Error(`anvil could not start: ${error.message}`))
    const timer = setTimeout(
      () => finish(new Error(`anvil did not start within ${timeoutMs} ms: ${stderrTail().trim()}`)),
      timeoutMs,
    )
    child.once('exit', onExit)
    child.once('error', onError)
    child.stdout.setEncoding('utf8')
    // Keep reading for the node's whole life: a full pipe would block anvil's logging.
    child.stdout.on('data', (chunk: string) => {
      if (done) return
      text += chunk
      const listening = /^Listening on [^\s:]+:(\d+)\s*$/m.exec(text)
      if (!listening) return
      const privateKeys = [...text.matchAll(/^\(\d+\) (0x[0-9a-fA-F]{64})\s*$/gm)].map(
        (match) => match[1] as Hex,
      )
      finish(undefined, { port: Number(listening[1]), privateKeys })
    })
  })
}

async function waitForRpc(rpcUrl: string, chainId: number, deadline: number, exited: () => boolean) {
  let lastError: unknown
  while (Date.now() < deadline && !exited()) {
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(2_000),
      })
      const body = (await response.json()) as { result?: string }
      if (body.result !== undefined && Number(body.result) === chainId) return
      lastError = new Error(`unexpected eth_chainId answer ${JSON.stringify(body)}`)
    } catch (error) {
      lastError = error
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`anvil at ${rpcUrl} did not answer JSON-RPC: ${String(lastError ?? 'it exited')}`, {
    cause: lastError,
  })
}
