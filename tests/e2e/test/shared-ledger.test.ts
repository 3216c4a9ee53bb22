import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, createMemoryLedger, createSpendingPolicy, TollgateError } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { createFileLedger } from '@tollgate/core/node'
import { createSqliteLedger } from '@tollgate/sqlite'
import { spawnLedgerWorker, transfersOnChain, usdcRegistry } from '@tollgate/test-support'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startDemo } from '../src/fixtures.js'

let demo: Awaited<ReturnType<typeof startDemo>>
const directory = mkdtempSync(join(tmpdir(), 'tollgate-shared-ledger-'))
const agent = fileURLToPath(new URL('./fixtures/shared-ledger-agent.mjs', import.meta.url))

beforeAll(async () => {
  demo = await startDemo()
})
afterAll(async () => {
  await demo?.stop()
  rmSync(directory, { recursive: true, force: true })
})

// A payer no test has used, funded with $1 of devnet USDC; it pays `exact` only (no gas needed).
async function freshPayer() {
  const privateKey = generatePrivateKey()
  const account = privateKeyToAccount(privateKey)
  await demo.devnet.mint('usdc', account.address, 1_000_000n)
  const wallet = evmWallet({
    account,
    rpcUrls: { [demo.devnet.network]: demo.devnet.rpcUrl },
    pollingIntervalMs: 20,
    schemes: ['exact'],
  })
  return { privateKey, address: account.address as Address, wallet }
}

async function settleAll(calls: Promise<Response>[]) {
  const outcomes = await Promise.allSettled(
    calls.map(async (call) => {
      const response = await call
      await response.arrayBuffer()
      return response.status
    }),
  )
  return {
    served: outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === 200).length,
    codes: outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [TollgateError.is(outcome.reason) ? outcome.reason.code : 'other'] : [],
    ),
  }
}

describe('one budget in one process', () => {
  test("behavior: two clients on one ledger never pay past the budget or take each other's payments", async () => {
    const payer = await freshPayer()
    const ledger = createMemoryLedger()
    const registry = usdcRegistry(demo.devnet)
    const policy = createSpendingPolicy({ registry, budget: '$0.005', ledger })
    const clients = [0, 1].map(() =>
      createClient({
        wallets: [payer.wallet],
        registry,
        policy,
        retry: { baseDelayMs: 10, maxDelayMs: 200 },
      }),
    )
    const url = `${demo.api.url}/api/search?q=two-clients`
    const result = await settleAll(Array.from({ length: 20 }, (_, index) => clients[index % 2]!.fetch(url)))
    const paid = await transfersOnChain(demo.devnet, payer.address, demo.payTo)
    expect(paid.reduce((sum, value) => sum + value, 0n) <= 5_000n).toBe(true)
    expect(paid.length).toBe(result.served)
    expect(result.served).toBe(5)
    expect(result.codes.every((code) => code === 'policy_budget_exceeded')).toBe(true)
    expect((await clients[0]!.spent()).usd).toMatchObject({ spent: '0.005', remaining: '0' })
  }, 120_000)

  test('behavior: a policy shared by two clients counts past spend once after a restart', async () => {
    const payer = await freshPayer()
    const registry = usdcRegistry(demo.devnet)
    const path = join(directory, 'restart.jsonl')
    const url = `${demo.api.url}/api/search?q=restart`
    const before = createFileLedger({ path })
    const first = createClient({
      wallets: [payer.wallet],
      registry,
      ledger: before,
      policy: { budget: '$0.003' },
    })
    expect((await first.fetch(url)).status).toBe(200)
    expect((await first.fetch(url)).status).toBe(200)
    await before.close()
    const ledger = createFileLedger({ path })
    try {
      const policy = createSpendingPolicy({ registry, budget: '$0.003', ledger })
      const clients = [0, 1].map(() => createClient({ wallets: [payer.wallet], registry, policy }))
      const result = await settleAll([clients[0]!.fetch(url), clients[1]!.fetch(url), clients[1]!.fetch(url)])
      expect(result.served).toBe(1)
      expect((await transfersOnChain(demo.devnet, payer.address, demo.payTo)).length).toBe(3)
      expect((await policy.spent()).usd).toMatchObject({ spent: '0.003', remaining: '0' })
    } finally {
      await ledger.close()
    }
  }, 120_000)
})

describe('one budget in a SQLite ledger shared by two agent processes', () => {
  test('behavior: two processes paying at once never move more than the budget on chain', async () => {
    // A fresh payer, so every Transfer from it on chain is one of these payments.
    const { privateKey, address: payer } = await freshPayer()
    const ledgerPath = join(directory, 'budget.db')
    const config = {
      ledgerPath,
      privateKey,
      rpcUrl: demo.devnet.rpcUrl,
      network: demo.devnet.network,
      token: {
        address: demo.devnet.tokens.usdc.address,
        name: demo.devnet.tokens.usdc.name,
        version: demo.devnet.tokens.usdc.version,
      },
      url: `${demo.api.url}/api/search?q=budget`,
      budget: '$0.005',
      count: 10,
    }
    // Twenty calls at $0.001 each against a $0.005 budget, from two processes at once.
    const agents = [0, 1].map(() => spawnLedgerWorker(agent, [JSON.stringify(config)]))
    const results = (await Promise.all(agents.map((worker) => worker.firstLine))).map(
      (line) => JSON.parse(line) as { served: number; codes: string[] },
    )
    await Promise.all(agents.map((worker) => worker.exited))

    const paid = await transfersOnChain(demo.devnet, payer, demo.payTo)
    const onChain = paid.reduce((sum, value) => sum + value, 0n)
    expect(onChain <= 5_000n).toBe(true)
    // Every payment on chain served exactly one request: none was paid twice.
    const served = results[0]!.served + results[1]!.served
    expect(paid.length).toBe(served)
    expect(served).toBe(5)
    expect(
      [...results[0]!.codes, ...results[1]!.codes].every((code) => code === 'policy_budget_exceeded'),
    ).toBe(true)

    const ledger = createSqliteLedger({ path: ledgerPath })
    try {
      const spends = await ledger.spends()
      expect(spends.filter((spend) => spend.status === 'committed').length).toBe(5)
      expect(spends.filter((spend) => spend.status === 'reserved').length).toBe(0)
    } finally {
      await ledger.close()
    }
  }, 120_000)
})
