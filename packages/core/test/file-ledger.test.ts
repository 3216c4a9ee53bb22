import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { createFileLedger } from '../src/node/create-file-ledger.js'
import { defineLedgerConformance } from '../src/test/ledger-conformance.js'
import { spawnLedgerWorker } from './support/spawn-ledger-worker.js'

const directory = mkdtempSync(join(tmpdir(), 'tollgate-file-ledger-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
const script = new URL('./support/file-ledger-worker.mjs', import.meta.url).pathname
const pathOf = (storage: string) => join(directory, `${storage}.jsonl`)

defineLedgerConformance(
  { describe, test, expect },
  {
    name: 'file',
    shared: false,
    create: (storage) => createFileLedger({ path: pathOf(storage) }),
    spawn: (storage, task) => spawnLedgerWorker(script, [pathOf(storage), JSON.stringify(task)]),
  },
)

const T = 1_700_000_000_000
const hang = (id: string) =>
  JSON.stringify({ type: 'reserve-and-hang', id, line: 'usd:18', value: '5', limit: '10', at: T })

describe('createFileLedger: one writer', () => {
  test('error: a second ledger object in this process fails with ledger_locked', async () => {
    const path = pathOf('twice')
    const first = createFileLedger({ path })
    expect(() => createFileLedger({ path })).toThrow(expect.objectContaining({ code: 'ledger_locked' }))
    await first.close()
    await createFileLedger({ path }).close()
  })

  test('error: a second process fails with ledger_locked while the first lives, and recovers the lock after kill -9', async () => {
    const path = pathOf('process')
    const worker = spawnLedgerWorker(script, [path, hang('p1')])
    expect(JSON.parse(await worker.firstLine)).toEqual({ ready: true })
    let error: unknown
    try {
      createFileLedger({ path })
    } catch (caught) {
      error = caught
    }
    const owner = JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as { pid: number }
    expect(error).toMatchObject({ code: 'ledger_locked', details: { pid: owner.pid } })
    worker.kill()
    await worker.exited
    const ledger = createFileLedger({ path })
    try {
      expect((await ledger.records()).map((record) => record.id)).toEqual(['p1'])
      expect((await ledger.spends()).map((spend) => [spend.id, spend.status])).toEqual([['p1', 'reserved']])
    } finally {
      await ledger.close()
    }
  })

  test('error: a lock held by a live process makes the worker fail loudly', async () => {
    const path = pathOf('parent-holds')
    const ledger = createFileLedger({ path })
    try {
      const worker = spawnLedgerWorker(script, [path, hang('p2')])
      await expect(worker.firstLine).rejects.toThrow(/ledger_locked|in use by another writer/)
      expect(await worker.exited).not.toBe(0)
    } finally {
      await ledger.close()
    }
  })
})
