import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createHoldTable } from '../ledger/create-hold-table.js'
import { createLedgerIndex, type LedgerIndex } from '../ledger/create-ledger-index.js'
import { createSpendBook, type SpendBook } from '../ledger/create-spend-book.js'
import { encodeLedgerRecord } from '../ledger/encode-ledger-record.js'
import { encodeLedgerSpend } from '../ledger/encode-ledger-spend.js'
import { parseLedgerRecord } from '../ledger/parse-ledger-record.js'
import { parseLedgerSpend } from '../ledger/parse-ledger-spend.js'
import type { Ledger, LedgerSpend } from '../ledger/types.js'
import { acquireFileLock } from './acquire-file-lock.js'

/** Options of {@link createFileLedger}. */
export type CreateFileLedgerOptions = {
  /**
   * Path of the ledger file (JSON lines), created with its directory when missing. One process
   * writes a ledger file at a time: `<path>.lock` keeps others out.
   */
  path: string
  /** Clock in unix milliseconds, for holds and commits given no time. Default `Date.now`. */
  now?: () => number
}

/** A {@link Ledger} in a locked file. */
export type FileLedger = Ledger & {
  /** Waits for pending writes and releases the file lock. Idempotent. */
  close(): Promise<void>
}

type Loaded = { index: LedgerIndex; book: SpendBook }

const NEWLINE = 0x0a

/**
 * Creates a durable ledger in a file of JSON lines (records and budget events, bigints as
 * strings), so a transfer broadcast before a crash is reused instead of paid again and a budget
 * survives restarts. The file is locked to this ledger object: a second writer, in this process or
 * another, fails loudly with `ledger_locked`; the lock of a process that died (`kill -9`) is
 * recovered. Every write is `fsync`ed before it resolves and writes are serialised, so each
 * reservation is atomic. A torn last line from a crash is dropped (or completed, when it is a
 * whole line missing only its newline); a corrupt line in the middle is refused.
 *
 * @example
 * import { createFileLedger } from '@tollgate/core/node'
 * const ledger = createFileLedger({ path: '/var/lib/my-agent/tollgate-ledger.jsonl' })
 * const client = createClient({ wallets, policy: { budget: '$5' }, ledger })
 * @throws {TollgateError} `config_invalid` for an empty path, `ledger_locked` when another live
 * writer holds the file. Methods reject with `ledger_unavailable` when the file cannot be read or
 * written or has a corrupt line, and with `config_invalid` for an invalid record or reservation.
 */
export function createFileLedger(options: CreateFileLedgerOptions): FileLedger {
  const path = options?.path
  if (typeof path !== 'string' || path.length === 0) {
    throw new TollgateError('config_invalid', `\`path\` must be a file path, got ${quote(path)}.`)
  }
  const clock = options.now ?? Date.now
  const lock = acquireFileLock(path)
  const holds = createHoldTable()
  let closed = false
  let loading: Promise<Loaded> | undefined
  // Every operation runs after the previous one settles: lines never interleave and a
  // reservation's check and write are one step.
  let queue: Promise<unknown> = Promise.resolve()

  const load = (): Promise<Loaded> => {
    loading ??= replay(path).catch((error: unknown) => {
      // Let a later call retry an I/O failure; a corrupt file fails again the same way.
      loading = undefined
      throw unavailable(path, 'read', error)
    })
    return loading
  }
  const serial = <T>(body: (loaded: Loaded) => T | Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(closedError(path))
    const task = queue.then(async () => body(await load()))
    queue = task.catch(() => undefined)
    return task
  }
  const write = async (line: string): Promise<void> => {
    try {
      await appendLine(path, `${line}\n`)
    } catch (error) {
      throw unavailable(path, 'written', error)
    }
  }
  const writeSpend = (spend: LedgerSpend) =>
    write(JSON.stringify({ kind: 'spend', spend: encodeLedgerSpend(spend) }))

  return {
    async append(record) {
      const { line, record: stored } = encodeLedgerRecord(record)
      return serial(async ({ index }) => {
        await write(line)
        index.add(stored)
      })
    },
    records: () => serial(({ index }) => index.records()),
    findUnusedTransfer: (match) =>
      serial(({ index }) => holds.pick(index.transferCandidates(match), match.take, match.now ?? clock())),
    findUnusedAuthorization: (match) =>
      serial(({ index }) => holds.pick(index.authorizationCandidates(match), match.take, match.now)),
    hold: (id, hold, now) => serial(() => holds.hold(id, hold, now ?? clock())),
    unhold: (id, holder) => serial(() => holds.unhold(id, holder)),
    reserve: (request) =>
      serial(async ({ book }) => {
        const plan = book.plan(request)
        if (!plan.reserved) return plan
        await writeSpend(plan.spend)
        book.add(plan.spend)
        if (request.hold !== undefined) holds.hold(plan.spend.id, request.hold, request.spend.reservedAt)
        return structuredClone(plan)
      }),
    commit: (id, at) =>
      serial(async ({ book }) => {
        const spend = book.planCommit(id, at ?? clock())
        if (spend === undefined) return undefined
        await writeSpend(spend)
        book.update(spend)
        return structuredClone(spend)
      }),
    release: (id, at) =>
      serial(async ({ book }) => {
        const spend = book.planRelease(id, at ?? clock())
        if (spend === undefined) return undefined
        await writeSpend(spend)
        book.update(spend)
        return structuredClone(spend)
      }),
    usage: (limits, now) => serial(({ book }) => book.usage(limits, now)),
    spends: (query) => serial(({ book }) => book.spends(query)),
    async close() {
      if (closed) return
      closed = true
      await queue
      lock.release()
    },
  }
}

async function replay(path: string): Promise<Loaded> {
  const loaded: Loaded = { index: createLedgerIndex(), book: createSpendBook() }
  const directory = dirname(path)
  await mkdir(directory, { recursive: true })
  // 'a+' creates the file when missing and appends wherever the position is.
  const handle = await open(path, 'a+')
  try {
    const bytes = await handle.readFile()
    const complete = bytes.lastIndexOf(NEWLINE) + 1
    const lines = bytes.subarray(0, complete).toString('utf8').split('\n')
    lines.pop()
    lines.forEach((line, position) => {
      if (line.trim().length > 0) apply(loaded, decodeLine(path, line, position + 1))
    })
    if (complete < bytes.length) {
      const tail = tryDecode(bytes.subarray(complete).toString('utf8'))
      // A whole line that only lost its newline is kept: it may be a broadcast that happened.
      if (tail !== undefined) {
        await handle.write('\n')
        apply(loaded, tail)
      } else {
        // Cut the torn line so the next append starts on a line of its own.
        await handle.truncate(complete)
      }
      await handle.sync()
    }
  } finally {
    await handle.close()
  }
  await syncDirectory(directory)
  return loaded
}

type Line = { record: ReturnType<typeof parseLedgerRecord> } | { spend: LedgerSpend }

function apply(loaded: Loaded, line: Line): void {
  if ('spend' in line) loaded.book.update(line.spend)
  else loaded.index.add(line.record)
}

function parseLine(line: string): Line {
  const value: unknown = JSON.parse(line)
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'spend') {
    return { spend: parseLedgerSpend((value as { spend?: unknown }).spend) }
  }
  return { record: parseLedgerRecord(value) }
}

async function appendLine(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a')
  try {
    const { size } = await handle.stat()
    try {
      await handle.appendFile(text, 'utf8')
      await handle.sync()
    } catch (error) {
      // Undo a partial line, so a failed append can never corrupt the lines after it.
      await handle.truncate(size).catch(() => undefined)
      throw error
    }
  } finally {
    await handle.close()
  }
}

// Makes a newly created file's directory entry durable too; not every platform can open a directory.
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Best effort: the file's own fsync still holds its content.
  }
}

function decodeLine(path: string, line: string, number: number): Line {
  try {
    return parseLine(line)
  } catch (error) {
    throw new TollgateError(
      'ledger_unavailable',
      `Line ${number} of the payment ledger ${path} is corrupt; repair or move the file before paying again.`,
      { cause: error, details: { path, line: number } },
    )
  }
}

function tryDecode(line: string): Line | undefined {
  try {
    return parseLine(line)
  } catch {
    return undefined
  }
}

function closedError(path: string): TollgateError {
  return new TollgateError('ledger_unavailable', `The payment ledger ${path} is closed.`, {
    details: { path },
  })
}

function unavailable(path: string, action: 'read' | 'written', error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  const code = (error as { code?: unknown } | undefined)?.code
  return new TollgateError(
    'ledger_unavailable',
    `The payment ledger ${path} could not be ${action}${typeof code === 'string' ? ` (${code})` : ''}.`,
    { cause: error, details: { path } },
  )
}
