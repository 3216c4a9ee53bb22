import { appendFile, mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import type { LedgerRecord, TransferMatch } from '../ledger/types.js'
import { createFileLedger as createLedger, type FileLedger } from './create-file-ledger.js'

const T = 1_700_000_000_000
const usdc = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
const payTo = '0x1111111111111111111111111111111111111111'
const transfer: TransferMatch = {
  scheme: 'tx',
  network: 'eip155:8453',
  asset: usdc,
  payTo,
  minAmount: 10_000n,
}

function record(id: string, type: LedgerRecord['type'], extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    id,
    type,
    at: T,
    url: 'https://api.example.com/search',
    scheme: 'tx',
    network: 'eip155:8453',
    asset: usdc,
    payTo,
    amount: '10000',
    ...extra,
  }
}

const root = await mkdtemp(join(tmpdir(), 'tollgate-ledger-'))
let path: string
let counter = 0
beforeEach(() => {
  path = join(root, `case-${++counter}`, 'ledger.jsonl')
})
// Every ledger a test opens is closed after it, releasing its lock.
const opened: FileLedger[] = []
function createFileLedger(options: { path: string }): FileLedger {
  const ledger = createLedger(options)
  opened.push(ledger)
  return ledger
}
// Opens the file again, as a restarted process would, after closing what is open.
async function reopen(): Promise<FileLedger> {
  await Promise.all(opened.splice(0).map((ledger) => ledger.close()))
  return createFileLedger({ path })
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ledger) => ledger.close()))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const lines = async () => (await readFile(path, 'utf8')).split('\n')

async function errorOf(promise: Promise<unknown>): Promise<TollgateError> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

// FileHandle is not exported by name; its prototype is reachable from any handle.
async function fileHandlePrototype(): Promise<{
  sync(): Promise<void>
  appendFile(data: string): Promise<void>
}> {
  const handle = await open(join(root, 'probe'), 'a')
  await handle.close()
  return Object.getPrototypeOf(handle)
}

describe('createFileLedger', () => {
  test('default: a broadcast transfer survives a restart', async () => {
    const before = createFileLedger({ path })
    await before.append(record('p1', 'quote'))
    await before.append(record('p1', 'broadcast', { transaction: '0xaa' }))
    const after = await reopen()
    expect(await after.findUnusedTransfer(transfer)).toEqual(
      record('p1', 'broadcast', { transaction: '0xaa' }),
    )
    expect(await after.records()).toHaveLength(2)
    await after.append(record('p1', 'accepted', { transaction: '0xaa' }))
    expect(await (await reopen()).findUnusedTransfer(transfer)).toBeUndefined()
  })

  test('behavior: one JSON line per record, bigints as strings, directory created', async () => {
    const ledger = createFileLedger({ path })
    await ledger.append(record('p1', 'confirmed', { transaction: '0xaa', hints: { blockNumber: 42n } }))
    const [line, end] = await lines()
    expect(end).toBe('')
    expect(JSON.parse(line as string)).toEqual(
      record('p1', 'confirmed', { transaction: '0xaa', hints: { blockNumber: '42' } }),
    )
  })

  test('behavior: a torn last line from a crash is dropped and the next append starts cleanly', async () => {
    await (await reopen()).append(record('p1', 'broadcast', { transaction: '0xaa' }))
    await appendFile(path, '{"id":"p2","type":"broad')
    const ledger = await reopen()
    expect(await ledger.records()).toHaveLength(1)
    await ledger.append(record('p3', 'quote'))
    const written = await lines()
    expect(written).toHaveLength(3)
    expect(written.slice(0, 2).map((line) => JSON.parse(line).id)).toEqual(['p1', 'p3'])
    expect(await (await reopen()).records()).toHaveLength(2)
  })

  test('behavior: a whole last record that lost only its newline is kept', async () => {
    await (await reopen()).append(record('p1', 'quote'))
    await appendFile(path, JSON.stringify(record('p1', 'broadcast', { transaction: '0xaa' })))
    const ledger = await reopen()
    expect((await ledger.findUnusedTransfer(transfer))?.transaction).toBe('0xaa')
    await ledger.append(record('p1', 'confirmed', { transaction: '0xaa' }))
    expect(await (await reopen()).records()).toHaveLength(3)
  })

  test('behavior: 200 concurrent appends produce 200 intact lines, in call order', async () => {
    const ledger = createFileLedger({ path })
    const ids = Array.from({ length: 200 }, (_, index) => `p${index}`)
    await Promise.all(ids.map((id) => ledger.append(record(id, 'broadcast', { transaction: `0x${id}` }))))
    const written = await lines()
    expect(written).toHaveLength(201)
    expect(written.slice(0, 200).map((line) => JSON.parse(line).id)).toEqual(ids)
    expect((await ledger.records()).map((entry) => entry.id)).toEqual(ids)
    expect((await (await reopen()).records()).map((entry) => entry.id)).toEqual(ids)
  })

  test('behavior: every append is fsynced before it resolves', async () => {
    const prototype = await fileHandlePrototype()
    const events: string[] = []
    const sync = prototype.sync
    vi.spyOn(prototype, 'sync').mockImplementation(async function (this: unknown) {
      await sync.call(this)
      events.push('sync')
    })
    const ledger = createFileLedger({ path })
    await ledger.records()
    events.length = 0
    for (let index = 0; index < 3; index++) {
      await ledger.append(record(`p${index}`, 'quote'))
      events.push('resolved')
    }
    expect(events).toEqual(['sync', 'resolved', 'sync', 'resolved', 'sync', 'resolved'])
  })

  test('behavior: a failed write leaves no partial line behind', async () => {
    const prototype = await fileHandlePrototype()
    const ledger = createFileLedger({ path })
    await ledger.append(record('p1', 'quote'))
    const append = prototype.appendFile
    vi.spyOn(prototype, 'appendFile').mockImplementationOnce(async function (this: unknown, data: string) {
      await append.call(this, data.slice(0, 20))
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    })
    const error = await errorOf(ledger.append(record('p2', 'quote')))
    expect(error.code).toBe('ledger_unavailable')
    expect(error.message.replace(path, '<path>')).toMatchInlineSnapshot(
      `"The payment ledger <path> could not be written (ENOSPC)."`,
    )
    await ledger.append(record('p3', 'quote'))
    expect((await (await reopen()).records()).map((entry) => entry.id)).toEqual(['p1', 'p3'])
  })

  test('error: a corrupt line in the middle is refused, on every call', async () => {
    const ledger = createFileLedger({ path })
    await ledger.append(record('p1', 'quote'))
    await appendFile(path, 'garbage\n')
    await ledger.append(record('p2', 'quote'))
    const restarted = await reopen()
    const error = await errorOf(restarted.findUnusedTransfer(transfer))
    expect(error.code).toBe('ledger_unavailable')
    expect(error.message.replace(path, '<path>')).toMatchInlineSnapshot(
      `"Line 2 of the payment ledger <path> is corrupt; repair or move the file before paying again."`,
    )
    expect(error.details).toMatchObject({ line: 2 })
    expect((await errorOf(restarted.append(record('p3', 'quote')))).code).toBe('ledger_unavailable')
    expect(await lines()).toHaveLength(4)
  })

  test('error: a line that is JSON but not a record is corrupt too', async () => {
    const ledger = createFileLedger({ path })
    await ledger.append(record('p1', 'quote'))
    await appendFile(path, `${JSON.stringify({ ...record('p2', 'quote'), amount: '-1' })}\n`)
    await appendFile(path, `${JSON.stringify(record('p3', 'quote'))}\n`)
    expect((await errorOf((await reopen()).records())).details).toMatchObject({ line: 2 })
  })

  test('error: key material is refused before anything is written', async () => {
    const ledger = createFileLedger({ path })
    await ledger.append(record('p1', 'quote'))
    const leaky = record('p2', 'confirmed', { transaction: '0xaa', hints: { secretKey: 'c2VjcmV0' } })
    expect((await errorOf(ledger.append(leaky))).code).toBe('config_invalid')
    expect(await readFile(path, 'utf8')).not.toContain('c2VjcmV0')
  })

  test('error: an empty path', () => {
    expect(() => createFileLedger({ path: '' })).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: \`path\` must be a file path, got "".]`,
    )
  })
})
