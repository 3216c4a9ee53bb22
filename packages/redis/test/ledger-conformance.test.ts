import { fileURLToPath } from 'node:url'
import { defineLedgerConformance } from '@tollgate/core/test'
import { spawnLedgerWorker } from '@tollgate/test-support'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createRedisLedger } from '../src/index.js'
import { type RedisServer, redisSkipReason, startRedisServer } from './redis-server.js'

const skipReason = redisSkipReason()
const worker = fileURLToPath(new URL('./fixtures/ledger-worker.mjs', import.meta.url))
const prefixOf = (storage: string) => `conformance:{${storage}}:`

describe.skipIf(skipReason !== undefined)(
  `redis ledger${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let server: RedisServer
    beforeAll(async () => {
      server = await startRedisServer()
    })
    afterAll(() => server?.stop())

    defineLedgerConformance(
      { describe, test, expect },
      {
        name: 'redis',
        shared: true,
        create: (storage) => createRedisLedger({ url: server.url, prefix: prefixOf(storage) }),
        spawn: (storage, task) =>
          spawnLedgerWorker(worker, [server.url, prefixOf(storage), JSON.stringify(task)]),
      },
    )

    test('behavior: sums past 2^53 stay exact', async () => {
      const ledger = createRedisLedger({ url: server.url, prefix: prefixOf(crypto.randomUUID()) })
      try {
        const limit = 5n * 10n ** 18n
        const spend = (id: string, value: bigint) => ({
          spend: {
            id,
            reservedAt: 1,
            url: 'https://api.example.com/',
            scheme: 'exact',
            network: 'eip155:1',
            asset: '0xaa',
            payTo: '0xbb',
            amount: value,
            charges: [{ line: 'usd:18', value }],
          },
          limits: [{ line: 'usd:18', limit }],
        })
        expect((await ledger.reserve(spend('a', limit - 1n))).reserved).toBe(true)
        expect((await ledger.reserve(spend('b', 2n))).reserved).toBe(false)
        expect((await ledger.reserve(spend('c', 1n))).reserved).toBe(true)
        await ledger.commit('a', 2)
        expect(await ledger.usage([{ line: 'usd:18', limit }], 3)).toEqual([
          { line: 'usd:18', limit, committed: limit - 1n, reserved: 1n },
        ])
      } finally {
        await ledger.close()
      }
    })
  },
)
