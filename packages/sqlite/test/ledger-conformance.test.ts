import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineLedgerConformance } from '@tollgate/core/test'
import { spawnLedgerWorker } from '@tollgate/test-support'
import { afterAll, describe, expect, test } from 'vitest'
import { createSqliteLedger } from '../src/index.js'

const directory = mkdtempSync(join(tmpdir(), 'tollgate-sqlite-ledger-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
const worker = fileURLToPath(new URL('./fixtures/ledger-worker.mjs', import.meta.url))
const pathOf = (storage: string) => join(directory, `${storage}.db`)

defineLedgerConformance(
  { describe, test, expect },
  {
    name: 'sqlite',
    shared: true,
    create: (storage) => createSqliteLedger({ path: pathOf(storage), busyTimeoutMs: 30_000 }),
    spawn: (storage, task) => spawnLedgerWorker(worker, [pathOf(storage), JSON.stringify(task)]),
  },
)

describe('createSqliteLedger', () => {
  test('error: a path that is not durable', () => {
    expect(() => createSqliteLedger({ path: ':memory:' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })
})
