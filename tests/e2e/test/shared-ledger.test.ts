import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSqliteLedger } from '@tollgate/sqlite'
import { spawnLedgerWorker, transfersOnChain } from '@tollgate/test-support'
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

describe('one budget in a SQLite ledger shared by two agent processes', () => {
  test('behavior: two processes paying at once never move more than the budget on chain', async () => {
    // A fresh payer, so every Transfer from it on chain is one of these payments.
    const privateKey = generatePrivateKey()
    const payer = privateKeyToAccount(privateKey).address as Address
    await demo.devnet.mint('usdc', payer, 1_000_000n)
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
