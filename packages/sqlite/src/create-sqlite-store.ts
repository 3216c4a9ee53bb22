import { randomUUID } from 'node:crypto'
import {
  assertClaimValue,
  assertTokenBucket,
  type ClaimResult,
  decodeClaimEntry,
  encodeClaimEntry,
  type Store,
  type TakeResult,
  type TokenBucket,
  TollgateError,
} from '@tollgate/core'
import Database from 'better-sqlite3'
import { schema, schemaVersion } from './sqlite-schema.js'
import { toStoreUnavailable } from './to-store-unavailable.js'

/** Options of {@link createSqliteStore}. */
export type CreateSqliteStoreOptions = {
  /**
   * Path of the database file, created when missing. Processes on the same machine may share
   * it; a network file system may not (SQLite's WAL needs shared memory). `":memory:"` is refused
   * because it is not durable.
   */
  path: string
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * Milliseconds a call waits for another process's write lock before it rejects with
   * `store_unavailable`. SQLite waits synchronously, blocking the event loop meanwhile. Default 1000.
   */
  busyTimeoutMs?: number
  /** Milliseconds between sweeps of expired rows; 0 turns the timer off. Default 60,000. */
  sweepIntervalMs?: number
}

/** A durable {@link Store} in one SQLite file. */
export type SqliteStore = Store & {
  readonly kind: 'sqlite'
  readonly durable: true
  /** Deletes expired rows now and resolves with how many were deleted. */
  sweep(): Promise<number>
  /** Stops the sweep timer and closes the database. */
  close(): Promise<void>
}

type BucketRow = { tokens: number; updated_at: number }

// Rows deleted per sweep statement, so another process never waits long for the write lock.
const sweepBatch = 500

/**
 * Creates a durable {@link Store} in a SQLite file, for a gate on one machine without Redis:
 * a proof accepted before a restart (or a crash) is still spent after it. WAL mode with
 * `synchronous = FULL`, so every acknowledged claim is on disk; every write is one transaction,
 * serialised across processes that share the file.
 *
 * Calls are synchronous under the hood (better-sqlite3) and fast; a call only blocks when
 * another process holds the write lock, for at most `busyTimeoutMs`.
 *
 * @example
 * import { createSqliteStore } from '@tollgate/sqlite'
 * const store = createSqliteStore({ path: '/var/lib/my-api/tollgate.db' })
 * const gate = createGate({ routes, payTo, networks, store, secret })
 * @throws {TollgateError} `config_invalid` for a `":memory:"` or empty path or invalid options,
 * `store_unavailable` when the file cannot be opened. Store methods reject with
 * `store_unavailable`, or `config_invalid` for a non-finite TTL or an invalid bucket.
 */
export function createSqliteStore(options: CreateSqliteStoreOptions): SqliteStore {
  const { path } = options
  const now = options.now ?? Date.now
  const busyTimeoutMs = options.busyTimeoutMs ?? 1_000
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000
  if (path === '' || path === ':memory:') {
    throw new TollgateError('config_invalid', `The SQLite store needs a file path, got "${path}".`)
  }
  for (const [name, value] of Object.entries({ busyTimeoutMs, sweepIntervalMs })) {
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      throw new TollgateError(
        'config_invalid',
        `${name} must be a whole number of milliseconds, got ${value}.`,
      )
    }
  }

  let database: Database.Database
  try {
    database = openDatabase(path, busyTimeoutMs)
  } catch (error) {
    throw toStoreUnavailable('open', error)
  }
  const db = database

  const deleteExpiredEntry = db.prepare('DELETE FROM tollgate_entries WHERE key = ? AND expires_at <= ?')
  const insertEntry = db.prepare(
    'INSERT INTO tollgate_entries (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
  )
  const selectLiveValue = db.prepare<[string, number], { value: string; expires_at: number }>(
    'SELECT value, expires_at FROM tollgate_entries WHERE key = ? AND expires_at > ?',
  )
  const updateEntry = db.prepare('UPDATE tollgate_entries SET value = ?, expires_at = ? WHERE key = ?')
  // Only an in-flight claim under its own token: the entry starts with `f|<token>|`.
  const deleteInFlightEntry = db.prepare(
    'DELETE FROM tollgate_entries WHERE key = ? AND substr(value, 1, length(?)) = ?',
  )
  const incrementEntry = db.prepare<[string, number], { value: number }>(
    `INSERT INTO tollgate_entries (key, value, expires_at) VALUES (?, '1', ?)
     ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
     RETURNING CAST(value AS INTEGER) AS value`,
  )
  const selectLiveEntry = db.prepare<[string, number], { found: number }>(
    'SELECT 1 AS found FROM tollgate_entries WHERE key = ? AND expires_at > ?',
  )
  const upsertEntry = db.prepare(
    `INSERT INTO tollgate_entries (key, value, expires_at) VALUES (?, '1', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
  )
  const selectLiveBucket = db.prepare<[string, number], BucketRow>(
    'SELECT tokens, updated_at FROM tollgate_buckets WHERE key = ? AND expires_at > ?',
  )
  const upsertBucket = db.prepare(
    `INSERT INTO tollgate_buckets (key, tokens, updated_at, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at,
     expires_at = excluded.expires_at`,
  )
  const sweepEntries = db.prepare(
    `DELETE FROM tollgate_entries WHERE key IN
     (SELECT key FROM tollgate_entries WHERE expires_at <= ? LIMIT ${sweepBatch})`,
  )
  const sweepBuckets = db.prepare(
    `DELETE FROM tollgate_buckets WHERE key IN
     (SELECT key FROM tollgate_buckets WHERE expires_at <= ? LIMIT ${sweepBatch})`,
  )

  // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that later upgrades
  // can fail with SQLITE_BUSY without waiting when another process wrote in between.
  const claimEntry = db.transaction(
    (key: string, token: string, value: string, at: number, expiresAt: number): ClaimResult => {
      deleteExpiredEntry.run(key, at)
      const entry = encodeClaimEntry({ state: 'in_flight', token, value })
      if (insertEntry.run(key, entry, expiresAt).changes === 1) return { claimed: true, token }
      const held = decodeClaimEntry((selectLiveValue.get(key, at) as { value: string }).value)
      return { claimed: false, state: held.state, value: held.value }
    },
  )
  const commitEntry = db.transaction(
    (key: string, token: string, value: string | undefined, at: number, expiresAt: number): boolean => {
      const row = selectLiveValue.get(key, at)
      if (row === undefined) return false
      const held = decodeClaimEntry(row.value)
      if (held.token !== token) return false
      const entry = encodeClaimEntry({ state: 'spent', token, value: value ?? held.value })
      // Committing never shortens the life the claim already had.
      updateEntry.run(entry, Math.max(row.expires_at, expiresAt), key)
      return true
    },
  )
  const renewEntry = db.transaction((key: string, token: string, at: number, expiresAt: number): boolean => {
    const row = selectLiveValue.get(key, at)
    if (row === undefined) return false
    const held = decodeClaimEntry(row.value)
    if (held.state !== 'in_flight' || held.token !== token) return false
    // A renewal never shortens the life the claim already had.
    if (expiresAt > row.expires_at) updateEntry.run(row.value, expiresAt, key)
    return true
  })
  const countEntry = db.transaction((key: string, at: number, expiresAt: number): number => {
    deleteExpiredEntry.run(key, at)
    return incrementEntry.get(key, expiresAt)!.value
  })
  const takeTokens = db.transaction((key: string, bucket: Required<TokenBucket>, at: number): TakeResult => {
    const current = selectLiveBucket.get(key, at)
    const result = computeTake(current, bucket, at)
    upsertBucket.run(
      key,
      result.tokens,
      at,
      at + Math.max(1, Math.ceil((bucket.capacity / bucket.refillPerSecond) * 1000)),
    )
    return result.result
  })

  const run = <T>(operation: string, body: () => T): T => {
    try {
      return body()
    } catch (error) {
      throw toStoreUnavailable(operation, error)
    }
  }
  const sweep = (): number => {
    const at = now()
    let deleted = 0
    for (const statement of [sweepEntries, sweepBuckets]) {
      let changes: number
      do {
        changes = statement.run(at).changes
        deleted += changes
      } while (changes === sweepBatch)
    }
    return deleted
  }
  const timer =
    sweepIntervalMs > 0
      ? setInterval(() => {
          // A failed sweep (say, a busy file) is retried at the next tick; calls never depend on it.
          try {
            sweep()
          } catch {}
        }, sweepIntervalMs)
      : undefined
  timer?.unref()

  return {
    specificationVersion: 'v2',
    kind: 'sqlite',
    durable: true,
    async claim(key, options) {
      const at = now()
      const expiresAt = at + toMilliseconds(options.ttlSeconds)
      const value = assertClaimValue(options.value)
      const token = randomUUID()
      return run('claim', () => claimEntry.immediate(key, token, value, at, expiresAt))
    },
    async commit(key, token, options) {
      const at = now()
      const expiresAt = at + toMilliseconds(options.ttlSeconds)
      const value = options.value === undefined ? undefined : assertClaimValue(options.value)
      return run('commit', () => commitEntry.immediate(key, token, value, at, expiresAt))
    },
    async release(key, token) {
      const prefix = encodeClaimEntry({ state: 'in_flight', token, value: '' })
      // An expired row is gone for every reader already; deleting it changes nothing.
      return run('release', () => deleteInFlightEntry.run(key, prefix, prefix).changes === 1)
    },
    async renew(key, token, ttlSeconds) {
      const at = now()
      const expiresAt = at + toMilliseconds(ttlSeconds)
      return run('renew', () => renewEntry.immediate(key, token, at, expiresAt))
    },
    async increment(key, ttlSeconds) {
      const at = now()
      const expiresAt = at + toMilliseconds(ttlSeconds)
      return run('increment', () => countEntry.immediate(key, at, expiresAt))
    },
    async has(key) {
      return run('has', () => selectLiveEntry.get(key, now()) !== undefined)
    },
    async put(key, ttlSeconds) {
      const at = now()
      const expiresAt = at + toMilliseconds(ttlSeconds)
      run('put', () => upsertEntry.run(key, expiresAt))
    },
    async take(key, bucket) {
      const checked = assertTokenBucket(bucket)
      return run('take', () => takeTokens.immediate(key, checked, now()))
    },
    async sweep() {
      return run('sweep', sweep)
    },
    async close() {
      clearInterval(timer)
      if (db.open) db.close()
    },
  }
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs })
  try {
    db.pragma('journal_mode = WAL')
    // FULL: a commit returns only after the WAL is synced, so an acknowledged claim survives a
    // power loss, not only a crash of this process.
    db.pragma('synchronous = FULL')
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > schemaVersion) {
      throw new TollgateError(
        'config_invalid',
        `${path} has Tollgate schema version ${version}; this package knows up to ${schemaVersion}.`,
      )
    }
    db.transaction(() => {
      db.exec(schema)
      db.pragma(`user_version = ${schemaVersion}`)
    }).immediate()
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/** TTL in whole milliseconds, at least 1, as the memory store rounds it. */
function toMilliseconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds)) {
    throw new TollgateError('config_invalid', `ttlSeconds must be a finite number, got ${ttlSeconds}.`)
  }
  return Math.max(1, Math.ceil(ttlSeconds * 1000))
}

/** The memory store's token-bucket arithmetic, on a row read inside the transaction. */
function computeTake(
  current: BucketRow | undefined,
  bucket: Required<TokenBucket>,
  at: number,
): { tokens: number; result: TakeResult } {
  const { capacity, refillPerSecond, cost } = bucket
  const elapsedSeconds = current ? Math.max(0, at - current.updated_at) / 1000 : 0
  const tokens = current ? Math.min(capacity, current.tokens + elapsedSeconds * refillPerSecond) : capacity
  if (tokens >= cost) {
    return {
      tokens: tokens - cost,
      result: { allowed: true, remaining: Math.floor(tokens - cost), retryAfterSeconds: 0 },
    }
  }
  return {
    tokens,
    result: {
      allowed: false,
      remaining: Math.floor(tokens),
      retryAfterSeconds: (cost - tokens) / refillPerSecond,
    },
  }
}
