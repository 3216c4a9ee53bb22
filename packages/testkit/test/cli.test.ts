import { type ChildProcessByStdio, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import type { DevnetJson } from '../src/index.js'
import { builtFile, childProcessIds, isRunning, listenOnce, rpc, waitUntilGone } from './process-helpers.js'

type Cli = ChildProcessByStdio<null, Readable, Readable>

function startCli(argumentList: string[]): Cli {
  return spawn(process.execPath, [builtFile('cli.js'), ...argumentList], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function output(stream: Readable): () => string {
  let text = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    text += chunk
  })
  return () => text
}

function firstLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const end = text.indexOf('\n')
      if (end === -1) return
      stream.off('data', onData)
      resolve(text.slice(0, end))
    }
    stream.on('data', onData)
    stream.once('end', () => reject(new Error(`stdout ended without a line: ${text}`)))
  })
}

async function exitOf(child: Cli): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode }
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  return { code, signal }
}

describe('tollgate-devnet', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`default: prints one JSON line, then stops anvil and exits 0 on ${signal}`, async () => {
      const cli = startCli(['--chain-id', '1337'])
      const stderr = output(cli.stderr)
      let anvilPids: number[] = []
      try {
        const json = JSON.parse(await firstLine(cli.stdout)) as DevnetJson
        expect(Object.keys(json)).toEqual(['rpcUrl', 'chainId', 'network', 'tokens', 'accounts'])
        expect(json).toMatchObject({
          chainId: 1337,
          network: 'eip155:1337',
          tokens: {
            usdc: {
              address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
              decimals: 6,
              name: 'USD Coin',
              version: '2',
            },
            usdc18: { address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', decimals: 18 },
          },
        })
        expect(json.accounts).toHaveLength(10)
        expect(await rpc(json.rpcUrl, 'eth_chainId')).toBe('0x539')
        if (process.platform === 'linux') {
          anvilPids = childProcessIds(cli.pid!)
          expect(anvilPids).toHaveLength(1)
        }

        cli.kill(signal)
        expect(await exitOf(cli)).toEqual({ code: 0, signal: null })
        expect(stderr()).toBe('')
        for (const pid of anvilPids) await waitUntilGone(pid)
        await expect(listenOnce(Number(new URL(json.rpcUrl).port))).resolves.toBeUndefined()
      } finally {
        cli.kill('SIGKILL')
        for (const pid of anvilPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL')
      }
    })
  }

  test('behavior: --port and --block-time', async () => {
    const cli = startCli(['--port', '0', '--block-time', '1'])
    try {
      const json = JSON.parse(await firstLine(cli.stdout)) as DevnetJson
      expect(json.chainId).toBe(31337)
      // Blocks keep coming with no transaction sent: waited for as a state, bounded by the test's timeout.
      const ready = Number(await rpc(json.rpcUrl, 'eth_blockNumber'))
      while (Number(await rpc(json.rpcUrl, 'eth_blockNumber')) <= ready) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(Number(await rpc(json.rpcUrl, 'eth_blockNumber'))).toBeGreaterThan(ready)
      cli.kill('SIGTERM')
      expect(await exitOf(cli)).toEqual({ code: 0, signal: null })
    } finally {
      cli.kill('SIGKILL')
    }
  })

  test('behavior: --help', async () => {
    const cli = startCli(['--help'])
    const stdout = output(cli.stdout)
    expect(await exitOf(cli)).toEqual({ code: 0, signal: null })
    expect(stdout()).toMatch(/^Usage: tollgate-devnet/)
  })

  test('error: an unknown flag or a bad number exits 1', async () => {
    for (const argumentList of [['--nope'], ['--chain-id', 'abc']]) {
      const cli = startCli(argumentList)
      const stderr = output(cli.stderr)
      expect(await exitOf(cli)).toEqual({ code: 1, signal: null })
      expect(stderr()).toMatch(/^tollgate-devnet: /)
    }
  })
})
