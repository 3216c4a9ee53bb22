import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { startAnvil } from '../src/anvil/start-anvil.js'
import { builtFile, isRunning, listenOnce, rpc, waitUntilGone } from './process-helpers.js'

describe('startAnvil', () => {
  test('default', async () => {
    const anvil = await startAnvil()
    expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`)
    expect(anvil.chainId).toBe(31337)
    expect(await rpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x7a69')
    expect(anvil.accounts).toHaveLength(10)
    // anvil's well-known public dev keys.
    expect(anvil.accounts[0]).toMatchInlineSnapshot(`
      {
        "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "privateKey": "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
      }
    `)
    expect(await rpc(anvil.rpcUrl, 'eth_accounts')).toEqual(
      anvil.accounts.map((account) => account.address.toLowerCase()),
    )
    expect(isRunning(anvil.pid)).toBe(true)

    await anvil.stop()
    expect(isRunning(anvil.pid)).toBe(false)
    await expect(listenOnce(anvil.port)).resolves.toBeUndefined()
    await expect(rpc(anvil.rpcUrl, 'eth_chainId')).rejects.toThrow()
    await anvil.stop()
  })

  test('behavior: two nodes at once, each on its own port and chain', async () => {
    const [first, second] = await Promise.all([startAnvil({ chainId: 8453 }), startAnvil({ chainId: 84532 })])
    try {
      expect(first.port).not.toBe(second.port)
      expect(await rpc(first.rpcUrl, 'eth_chainId')).toBe('0x2105')
      expect(await rpc(second.rpcUrl, 'eth_chainId')).toBe('0x14a34')
      await first.stop()
      expect(await rpc(second.rpcUrl, 'eth_chainId')).toBe('0x14a34')
    } finally {
      await Promise.all([first.stop(), second.stop()])
    }
  })

  test('behavior: options', async () => {
    const port = await freePort()
    const mnemonic =
      'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
    const anvil = await startAnvil({
      port,
      chainId: 1337,
      accounts: 2,
      balance: 5n,
      mnemonic,
    })
    try {
      expect(anvil.port).toBe(port)
      expect(anvil.accounts).toEqual(
        [0, 1].map((addressIndex) => {
          const account = mnemonicToAccount(mnemonic, { addressIndex })
          return { address: account.address, privateKey: toHex(account.getHdKey().privateKey!) }
        }),
      )
      expect(await rpc(anvil.rpcUrl, 'eth_getBalance', [anvil.accounts[1]!.address, 'latest'])).toBe(
        `0x${(5n * 10n ** 18n).toString(16)}`,
      )
    } finally {
      await anvil.stop()
    }
  })

  test('behavior: blockTime mines blocks without transactions', async () => {
    const anvil = await startAnvil({ blockTime: 1 })
    try {
      // No transaction is sent: a block appears only if the interval mines it. Waited for as a
      // state; the test's timeout bounds the wait.
      while (Number(await rpc(anvil.rpcUrl, 'eth_blockNumber')) < 1) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(Number(await rpc(anvil.rpcUrl, 'eth_blockNumber'))).toBeGreaterThanOrEqual(1)
    } finally {
      await anvil.stop()
    }
  })

  test('error: port already taken', async () => {
    const server = await listen(0)
    const port = (server.address() as { port: number }).port
    try {
      await expect(startAnvil({ port })).rejects.toThrow(/anvil exited .* before it was ready/)
    } finally {
      server.close()
    }
  })

  test('error: invalid options', async () => {
    await expect(startAnvil({ chainId: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: chainId must be an integer from 1 to 9007199254740991, got 0]`,
    )
    await expect(startAnvil({ blockTime: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: blockTime must be a positive number of seconds, got 0]`,
    )
    await expect(startAnvil({ binary: '/nonexistent/anvil' })).rejects.toThrow(/anvil could not start/)
  })

  test('behavior: anvil dies with the process that started it', async () => {
    const index = builtFile('index.js')
    // Exits on its own without calling stop(), then is ended by SIGTERM without handling it.
    for (const ending of ['exit', 'SIGTERM'] as const) {
      const script = `
        import { startAnvil } from ${JSON.stringify(index)}
        const anvil = await startAnvil()
        process.stdout.write(anvil.pid + '\\n')
        if (${JSON.stringify(ending)} === 'exit') process.exit(0)
        setInterval(() => {}, 1000)
      `
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer]
      const anvilPid = Number(chunk.toString().trim())
      expect(anvilPid).toBeGreaterThan(0)
      if (ending === 'SIGTERM') child.kill('SIGTERM')
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
      expect({ code, signal }).toEqual(
        ending === 'exit' ? { code: 0, signal: null } : { code: null, signal: 'SIGTERM' },
      )
      try {
        await waitUntilGone(anvilPid)
      } finally {
        if (isRunning(anvilPid)) process.kill(anvilPid, 'SIGKILL')
      }
    }
  })
})

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

async function freePort(): Promise<number> {
  const server = await listen(0)
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
