import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Devnet } from '@tollgate/testkit'
import { erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { createClient } from '../src/client/create-client.js'
import { evmNetwork } from '../src/evm/evm-network.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { createGate } from '../src/gate/create-gate.js'
import { createFileLedger } from '../src/node/create-file-ledger.js'
import { devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { rpcProxy } from './support/rpc-proxy.js'
import { serve } from './support/serve.js'

let devnet: Devnet
let server: Awaited<ReturnType<typeof serve>>

beforeAll(async () => {
  devnet = await startDevnet()
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': { price: '$0.001' } },
    payTo: devnet.accounts[9]!.address,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: 'client-crash-secret-0123456789abcdefghijk',
    registry: devnetRegistry(devnet),
  })
  server = await serve((request) => gate.handle(request, () => Response.json({ ok: true })))
})
afterAll(async () => {
  await server?.close()
  await devnet?.stop()
})

describe('kill -9 between recording a transfer and sending it', () => {
  test('behavior: on restart the recorded transfer is found and sent, never paid anew', async () => {
    const payer = devnet.accounts[1]!
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-crash-'))
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }))
    const ledgerPath = join(directory, 'ledger.jsonl')
    let reachedSend: () => void = () => {}
    const sending = new Promise<void>((resolve) => {
      reachedSend = resolve
    })
    // The child's sends never reach the node: it dies while its send is in the air.
    const proxy = await rpcProxy(devnet.rpcUrl, (calls) => {
      if (!calls.some((call) => call.method === 'eth_sendRawTransaction')) return 'forward'
      reachedSend()
      return 'hold'
    })
    const child: ChildProcess = spawn(
      process.execPath,
      [join(dirname(fileURLToPath(import.meta.url)), 'support/pay-in-child.mjs')],
      {
        env: {
          ...process.env,
          TOLLGATE_CHILD_CONFIG: JSON.stringify({
            privateKey: payer.privateKey,
            network: devnet.network,
            rpcUrl: proxy.url,
            url: `${server.origin}/api/search`,
            ledgerPath,
            asset: {
              network: devnet.network,
              address: devnet.tokens.usdc.address,
              symbol: 'USDC',
              name: 'USD Coin',
              decimals: 6,
              usdPegged: true,
              eip712: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
            },
          }),
        },
        stdio: 'ignore',
      },
    )
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    )
    await sending
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    await proxy.close()
    // The transfer's id was on disk before the send began.
    const recorded = readFileSync(ledgerPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type?: string; transaction?: string })
      // Payment records, not the budget's own lines.
      .filter((record) => record.type !== undefined)
    expect(recorded.map((record) => record.type)).toEqual(['quote', 'broadcast'])
    const before = await devnet.publicClient.getContractEvents({
      address: devnet.tokens.usdc.address,
      abi: erc20Abi,
      eventName: 'Transfer',
      args: { from: payer.address },
      fromBlock: 0n,
    })
    expect(before).toEqual([])

    const client = createClient({
      wallets: [
        evmWallet({
          account: privateKeyToAccount(payer.privateKey),
          rpcUrls: { [devnet.network]: devnet.rpcUrl },
          pollingIntervalMs: 20,
        }),
      ],
      registry: devnetRegistry(devnet),
      policy: { budget: '$1' },
      ledger: createFileLedger({ path: ledgerPath }),
    })
    // Counted from the ledger at once: it may have been sent.
    const response = await client.fetch(`${server.origin}/api/search`)
    expect(response.status).toBe(200)
    expect(client.paymentFor(response)).toMatchObject({ reused: true, transaction: recorded[1]!.transaction })
    const transfers = await devnet.publicClient.getContractEvents({
      address: devnet.tokens.usdc.address,
      abi: erc20Abi,
      eventName: 'Transfer',
      args: { from: payer.address },
      fromBlock: 0n,
    })
    expect(transfers.map((event) => event.transactionHash)).toEqual([recorded[1]!.transaction])
    expect((await client.spent()).usd?.spent).toBe('0.001')
  })
})
