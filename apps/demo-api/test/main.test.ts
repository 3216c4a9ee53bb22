import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, onTestFinished, test } from 'vitest'

const appDirectory = fileURLToPath(new URL('..', import.meta.url))
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: { start: string }
}

/** A process: its pid, its start time (clock ticks since boot) and its command line. */
type Seen = { pid: number; startTime: string; command: string }

/** The state and start time of `pid` from /proc (fields 3 and 22), or undefined once it is gone. */
function statOf(pid: number): { parent: number; state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '?', parent: Number(fields[1]), startTime: fields[19] ?? '' }
  } catch {
    // The process ended while we looked.
    return undefined
  }
}

/** Every live process below `pid`, from /proc. */
function descendants(pid: number): Seen[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = statOf(Number(entry))
    if (stat !== undefined) children.set(stat.parent, [...(children.get(stat.parent) ?? []), Number(entry)])
  }
  const found: Seen[] = []
  const queue = [...(children.get(pid) ?? [])]
  while (queue.length > 0) {
    const next = queue.shift()!
    let command = ''
    try {
      command = readFileSync(`/proc/${next}/cmdline`, 'utf8').replaceAll('\0', ' ')
    } catch {}
    const startTime = statOf(next)?.startTime
    if (startTime !== undefined) found.push({ pid: next, startTime, command })
    queue.push(...(children.get(next) ?? []))
  }
  return found
}

/** Whether the process still runs: same pid and start time (pids are reused), and not a zombie. */
function isAlive(process: Seen): boolean {
  const stat = statOf(process.pid)
  return stat !== undefined && stat.startTime === process.startTime && stat.state !== 'Z'
}

type Ready = {
  url: string
  network: string
  payTo: string
  asset: { address: string; decimals: number; symbol: string; eip712?: unknown }
  devnet: { rpcUrl: string; accounts: { address: string }[] }
}

/** Starts the app as a child process on a free port and waits for its JSON line. */
async function launch(command: string, args: string[], options: { detached?: boolean } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' }
  for (const name of ['TOLLGATE_RPC_URL', 'TOLLGATE_ASSET', 'TOLLGATE_PAY_TO', 'TOLLGATE_SECRET']) {
    delete env[name]
  }
  const child = spawn(command, args, {
    cwd: appDirectory,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  })
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()))
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  // Whatever happens, nothing outlives the test (the group, for a detached launch).
  onTestFinished(() => {
    if (child.exitCode !== null || child.signalCode !== null) return
    if (options.detached === true) process.kill(-child.pid!, 'SIGKILL')
    else child.kill('SIGKILL')
  })
  // Wait for the line or the exit, not for a clock: the test's own timeout bounds the wait.
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (!output.stdout.includes('\n')) return
      child.off('exit', onExit)
      resolve()
    }
    const onExit = () => {
      child.stdout.off('data', onData)
      reject(new Error(`exited before its JSON line; stderr:\n${output.stderr}`))
    }
    child.stdout.on('data', onData)
    child.once('exit', onExit)
  })
  const ready = JSON.parse(output.stdout) as Ready
  return { child, output, exited, ready }
}

/** Checks the running app, signals it, and checks that it and everything it started are gone. */
async function exercise(
  launched: Awaited<ReturnType<typeof launch>>,
  stop: () => void,
): Promise<[number | null, NodeJS.Signals | null]> {
  const { child, output, exited, ready } = launched
  expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(ready.network).toBe('eip155:31337')
  expect(ready.payTo).toBe(ready.devnet.accounts[9]!.address)
  expect(ready.asset).toMatchObject({
    decimals: 6,
    symbol: 'USDC',
    eip712: { name: 'USD Coin', version: '2' },
  })
  expect(output.stderr).toContain('TOLLGATE_SECRET is not set')

  const health = await fetch(`${ready.url}/health`)
  expect([health.status, await health.json()]).toEqual([200, { ok: true }])
  const quote = await fetch(`${ready.url}/api/search?q=x`)
  expect(quote.status).toBe(402)
  await quote.arrayBuffer()

  const below = descendants(child.pid!)
  expect(below.some((process) => process.command.includes('anvil'))).toBe(true)
  stop()
  const result = await exited
  expect(output.stdout.trimEnd().split('\n')).toHaveLength(1)
  // Everything below it ends: waited for as a state, the test's timeout bounds the wait (pnpm can
  // exit before the app it runs has stopped anvil).
  while (below.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(below.filter(isAlive)).toEqual([])
  await expect(fetch(ready.devnet.rpcUrl, { method: 'POST' })).rejects.toThrow()
  await expect(fetch(`${ready.url}/health`)).rejects.toThrow()
  return result
}

describe('start (src/main.ts)', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    'behavior: prints one JSON line, serves, and on %s stops server and devnet and exits 0',
    async (signal) => {
      // The `start` script without pnpm around it: `node --import tsx src/main.ts`.
      const [command, ...args] = packageJson.scripts.start.split(' ')
      expect(command).toBe('node')
      const launched = await launch(process.execPath, args)
      try {
        expect(await exercise(launched, () => launched.child.kill(signal))).toEqual([0, null])
      } finally {
        if (launched.child.exitCode === null) launched.child.kill('SIGKILL')
      }
    },
  )

  test('behavior: `pnpm --silent --filter @tollgate/demo-api start` stops with its process group', async () => {
    // pnpm does not forward signals to its script: stop the group, as a terminal's Ctrl-C does.
    const launched = await launch('pnpm', ['--silent', '--filter', '@tollgate/demo-api', 'start'], {
      detached: true,
    })
    try {
      await exercise(launched, () => process.kill(-launched.child.pid!, 'SIGTERM'))
    } finally {
      if (launched.child.exitCode === null) process.kill(-launched.child.pid!, 'SIGKILL')
    }
  })
})
