import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createLedgerIndex, type LedgerIndex } from '../ledger/create-ledger-index.js'
import { encodeLedgerRecord } from '../ledger/encode-ledger-record.js'
import { parseLedgerRecord } from '../ledger/parse-ledger-record.js'
import type { Ledger, LedgerRecord } from '../ledger/types.js'

/** Options of {@link createFileLedger}. */
export type CreateFileLedgerOptions = {
  /**
   * Path of the ledger file (JSON lines), created with its directory when missing. One process
   * writes a ledger file at a time; give each agent process its own file.
   */
  path: string
}

const NEWLINE = 0x0a

/**
 * Creates a durable ledger in a file of JSON lines, one record per line (bigints as strings), so
 * a transfer broadcast before a crash or restart is found and reused instead of paid again.
 * Every `append` writes and `fsync`s its line before it resolves; appends are serialised so lines
 * never interleave. The file is replayed on first use: a torn last line from a crash is dropped
 * (or completed, when it is a whole record missing only its newline), while a corrupt line in
 * the middle is refused, because the records after it could not be trusted. Records hold public
 * payment facts only; a record with a key-like field is refused before anything is written.
 *
 * @example
 * import { createFileLedger } from '@tollgate/core/node'
 * const ledger = createFileLedger({ path: '/var/lib/my-agent/tollgate-ledger.jsonl' })
 * const client = createClient({ wallets, policy, ledger })
 * @throws {TollgateError} `config_invalid` for an empty path. Methods reject with
 * `ledger_unavailable` when the file cannot be read or written or has a corrupt line, and `append`
 * with `config_invalid` for an invalid record.
 */
export function createFileLedger(options: CreateFileLedgerOptions): Ledger {
  const path = options?.path
  if (typeof path !== 'string' || path.length === 0) {
    throw new TollgateError('config_invalid', `\`path\` must be a file path, got ${quote(path)}.`)
  }
  let loading: Promise<LedgerIndex> | undefined
  // Every write runs after the previous one settles, so lines never interleave.
  let queue: Promise<unknown> = Promise.resolve()

  const load = (): Promise<LedgerIndex> => {
    loading ??= replay(path).catch((error: unknown) => {
      // Let a later call retry an I/O failure; a corrupt file fails again the same way.
      loading = undefined
      throw unavailable(path, 'read', error)
    })
    return loading
  }

  return {
    async append(record) {
      const { line, record: stored } = encodeLedgerRecord(record)
      const index = await load()
      const task = queue.then(async () => {
        try {
          await appendLine(path, `${line}\n`)
        } catch (error) {
          throw unavailable(path, 'written', error)
        }
        index.add(stored)
      })
      queue = task.catch(() => undefined)
      await task
    },
    async records() {
      const index = await load()
      await queue
      return index.records()
    },
    async findUnusedTransfer(match) {
      const index = await load()
      await queue
      return index.findUnusedTransfer(match)
    },
    async findUnusedAuthorization(match) {
      const index = await load()
      await queue
      return index.findUnusedAuthorization(match)
    },
  }
}

async function replay(path: string): Promise<LedgerIndex> {
  const index = createLedgerIndex()
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
      if (line.trim().length > 0) index.add(decodeLine(path, line, position + 1))
    })
    if (complete < bytes.length) {
      const tail = tryDecode(bytes.subarray(complete).toString('utf8'))
      // A whole record that only lost its newline is kept: it may be a broadcast that happened.
      if (tail !== undefined) {
        await handle.write('\n')
        index.add(tail)
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
  return index
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

function decodeLine(path: string, line: string, number: number): LedgerRecord {
  try {
    return parseLedgerRecord(JSON.parse(line))
  } catch (error) {
    throw new TollgateError(
      'ledger_unavailable',
      `Line ${number} of the payment ledger ${path} is corrupt; repair or move the file before paying again.`,
      { cause: error, details: { path, line: number } },
    )
  }
}

function tryDecode(line: string): LedgerRecord | undefined {
  try {
    return parseLedgerRecord(JSON.parse(line))
  } catch {
    return undefined
  }
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
