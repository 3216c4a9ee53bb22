import {
  assertHold,
  assertReserveRequest,
  createLedgerIndex,
  encodeLedgerRecord,
  encodeLedgerSpend,
  type Ledger,
  type LedgerHold,
  type LedgerRecord,
  type LedgerReserveResult,
  type LedgerSpend,
  measureUsage,
  parseLedgerRecord,
  parseLedgerSpend,
  TollgateError,
} from '@tollgate/core'
import Database from 'better-sqlite3'
import { ledgerSchema } from './ledger-schema.js'

/** Options of {@link createSqliteLedger}. */
export type CreateSqliteLedgerOptions = {
  /**
   * Path of the database file, created when missing. Every process on this machine that opens it
   * shares one budget; a network file system may not (SQLite's WAL needs shared memory).
   * `":memory:"` is refused because it is not durable.
   */
  path: string
  /** Clock in unix milliseconds, for holds and commits given no time. Default `Date.now`. */
  now?: () => number
  /**
   * Milliseconds a call waits for another process's write lock before it rejects with
   * `ledger_unavailable`. SQLite waits synchronously, blocking the event loop meanwhile. Default 5000.
   */
  busyTimeoutMs?: number
}

/** A {@link Ledger} in a SQLite file, shared by the processes of one machine. */
export type SqliteLedger = Ledger & {
  /** Closes the database. Idempotent. */
  close(): Promise<void>
}

type Statements = ReturnType<typeof prepare>

/**
 * Creates a durable ledger in a SQLite file that many agent processes on one machine share: one
 * budget, one set of payments in flight. Every reservation is one `BEGIN IMMEDIATE` transaction
 * that checks every limit and writes the spend, so concurrent reservations from any number of
 * processes never pass a limit together. WAL mode with `synchronous = FULL`: a record or
 * reservation that resolved is on disk before anything else happens, and survives `kill -9`.
 *
 * @example
 * import { createSqliteLedger } from '@tollgate/sqlite'
 * const ledger = createSqliteLedger({ path: '/var/lib/agents/budget.db' })
 * const client = createClient({ wallets, policy: { budget: '$20', window: { seconds: 86_400 } }, ledger })
 * @throws {TollgateError} `config_invalid` for a `":memory:"` or empty path or invalid options,
 * `ledger_unavailable` when the file cannot be opened. Methods reject with `ledger_unavailable`
 * (busy past the timeout, I/O) and `config_invalid` for an invalid record, hold or reservation.
 */
export function createSqliteLedger(options: CreateSqliteLedgerOptions): SqliteLedger {
  const path = options?.path
  const clock = options.now ?? Date.now
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000
  if (typeof path !== 'string' || path === '' || path === ':memory:') {
    throw new TollgateError('config_invalid', `The SQLite ledger needs a file path, got "${String(path)}".`)
  }
  if (!(Number.isSafeInteger(busyTimeoutMs) && busyTimeoutMs >= 0)) {
    throw new TollgateError(
      'config_invalid',
      `busyTimeoutMs must be whole milliseconds, got ${busyTimeoutMs}.`,
    )
  }
  let db: Database.Database
  try {
    db = new Database(path, { timeout: busyTimeoutMs })
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.transaction(() => db.exec(ledgerSchema)).immediate()
  } catch (error) {
    throw unavailable('open', error)
  }
  const statements = prepare(db)
  let closed = false
  const run = async <T>(operation: string, body: () => T): Promise<T> => {
    if (closed) throw new TollgateError('ledger_unavailable', `The SQLite ledger ${path} is closed.`)
    try {
      return body()
    } catch (error) {
      throw unavailable(operation, error)
    }
  }
  const find = (
    candidatesOf: (records: LedgerRecord[]) => LedgerRecord[],
    take: LedgerHold | undefined,
    now: number,
  ) =>
    db
      .transaction(() => {
        const candidates = candidatesOf(
          statements.allRecords.all().map((row) => parseLedgerRecord(JSON.parse(row.json))),
        )
        const found = candidates.find((record) => !heldByOther(statements, record.id, take?.holder, now))
        if (found !== undefined && take !== undefined)
          statements.upsertHold.run(found.id, take.holder, take.until)
        return found
      })
      .immediate()

  return {
    append: (record) =>
      run('append', () => {
        const { line, record: stored } = encodeLedgerRecord(record)
        statements.insertRecord.run(stored.id, line)
      }),
    records: () =>
      run('records', () => statements.allRecords.all().map((row) => parseLedgerRecord(JSON.parse(row.json)))),
    findUnusedTransfer: (match) =>
      run('findUnusedTransfer', () =>
        find((records) => indexOf(records).transferCandidates(match), match.take, match.now ?? clock()),
      ),
    findUnusedAuthorization: (match) =>
      run('findUnusedAuthorization', () =>
        find((records) => indexOf(records).authorizationCandidates(match), match.take, match.now),
      ),
    hold: (id, hold, now) =>
      run('hold', () => {
        assertHold(id, hold)
        return db
          .transaction(() => {
            if (heldByOther(statements, id, hold.holder, now ?? clock())) return false
            statements.upsertHold.run(id, hold.holder, hold.until)
            return true
          })
          .immediate()
      }),
    unhold: (id, holder) =>
      run('unhold', () => {
        statements.deleteHold.run(id, holder)
      }),
    reserve: (request) =>
      run('reserve', () => {
        assertReserveRequest(request)
        return db.transaction(() => reserveIn(statements, request)).immediate()
      }),
    commit: (id, at) =>
      run('commit', () =>
        db.transaction(() => settle(statements, id, 'committed', at ?? clock())).immediate(),
      ),
    release: (id, at) =>
      run('release', () =>
        db.transaction(() => settle(statements, id, 'released', at ?? clock())).immediate(),
      ),
    usage: (limits, now) =>
      run('usage', () =>
        limits.map((limit) =>
          measureUsage(spendsOn(statements, limit.line, limit.windowMs, now), limit, now),
        ),
      ),
    spends: (query = {}) =>
      run('spends', () =>
        statements.openSpends
          .all(query.committedAfter ?? -1)
          .map((row) => parseLedgerSpend(JSON.parse(row.json))),
      ),
    async close() {
      if (closed) return
      closed = true
      db.close()
    },
  }
}

function prepare(db: Database.Database) {
  return {
    insertRecord: db.prepare<[string, string]>(
      'INSERT INTO tollgate_ledger_records (id, json) VALUES (?, ?)',
    ),
    allRecords: db.prepare<[], { json: string }>(
      'SELECT json FROM tollgate_ledger_records ORDER BY sequence',
    ),
    selectHold: db.prepare<[string], { holder: string; until: number }>(
      'SELECT holder, until FROM tollgate_ledger_holds WHERE id = ?',
    ),
    upsertHold: db.prepare<[string, string, number]>(
      `INSERT INTO tollgate_ledger_holds (id, holder, until) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until`,
    ),
    deleteHold: db.prepare<[string, string]>('DELETE FROM tollgate_ledger_holds WHERE id = ? AND holder = ?'),
    selectSpend: db.prepare<[string], { json: string }>(
      'SELECT json FROM tollgate_ledger_spends WHERE id = ?',
    ),
    insertSpend: db.prepare<[string, string, number, string]>(
      'INSERT INTO tollgate_ledger_spends (id, status, reserved_at, json) VALUES (?, ?, ?, ?)',
    ),
    updateSpend: db.prepare<[string, number, string, string]>(
      'UPDATE tollgate_ledger_spends SET status = ?, settled_at = ?, json = ? WHERE id = ?',
    ),
    insertCharge: db.prepare<[string, string]>(
      'INSERT INTO tollgate_ledger_charges (line, spend_id) VALUES (?, ?)',
    ),
    // Spends that can count on a line: reserved ones, and committed ones settled after the cut-off.
    spendsOnLine: db.prepare<[string, number], { json: string }>(
      `SELECT s.json FROM tollgate_ledger_charges c JOIN tollgate_ledger_spends s ON s.id = c.spend_id
       WHERE c.line = ? AND (s.status = 'reserved' OR (s.status = 'committed' AND s.settled_at > ?))`,
    ),
    openSpends: db.prepare<[number], { json: string }>(
      `SELECT json FROM tollgate_ledger_spends
       WHERE status = 'reserved' OR (status = 'committed' AND settled_at > ?)
       ORDER BY reserved_at, sequence`,
    ),
  }
}

function reserveIn(statements: Statements, request: Parameters<Ledger['reserve']>[0]): LedgerReserveResult {
  const { spend } = request
  if (statements.selectSpend.get(spend.id) !== undefined) {
    throw new TollgateError('config_invalid', `Ledger spend ${spend.id} is already reserved.`)
  }
  for (const limit of request.limits) {
    const value = spend.charges.find((charge) => charge.line === limit.line)?.value
    if (value === undefined) continue
    const usage = measureUsage(
      spendsOn(statements, limit.line, limit.windowMs, spend.reservedAt),
      limit,
      spend.reservedAt,
      value,
    )
    if (usage.committed + usage.reserved + value > limit.limit) return { reserved: false, exceeded: usage }
  }
  const stored: LedgerSpend = { ...spend, status: 'reserved' }
  statements.insertSpend.run(
    spend.id,
    'reserved',
    spend.reservedAt,
    JSON.stringify(encodeLedgerSpend(stored)),
  )
  for (const charge of spend.charges) statements.insertCharge.run(charge.line, spend.id)
  if (request.hold !== undefined) statements.upsertHold.run(spend.id, request.hold.holder, request.hold.until)
  return { reserved: true, spend: stored }
}

function settle(
  statements: Statements,
  id: string,
  status: 'committed' | 'released',
  at: number,
): LedgerSpend | undefined {
  const row = statements.selectSpend.get(id)
  if (row === undefined) return undefined
  const spend = parseLedgerSpend(JSON.parse(row.json))
  // Commit is final and wins over a release; a release only frees what is still reserved.
  if (status === 'committed' ? spend.status === 'committed' : spend.status !== 'reserved') return undefined
  const next: LedgerSpend = { ...spend, status, settledAt: at }
  statements.updateSpend.run(status, at, JSON.stringify(encodeLedgerSpend(next)), id)
  return next
}

function spendsOn(
  statements: Statements,
  line: string,
  windowMs: number | undefined,
  now: number,
): LedgerSpend[] {
  const cutoff = windowMs === undefined ? -1 : now - windowMs
  return statements.spendsOnLine.all(line, cutoff).map((row) => parseLedgerSpend(JSON.parse(row.json)))
}

function heldByOther(statements: Statements, id: string, holder: string | undefined, now: number): boolean {
  const hold = statements.selectHold.get(id)
  return hold !== undefined && hold.until > now && hold.holder !== holder
}

function indexOf(records: readonly LedgerRecord[]) {
  const index = createLedgerIndex()
  for (const record of records) index.add(record)
  return index
}

function unavailable(operation: string, error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError('ledger_unavailable', `The SQLite ledger could not complete "${operation}".`, {
    cause: error,
  })
}
