/** The schema version this package writes to `PRAGMA user_version`. @internal */
export const schemaVersion = 1

/**
 * Entries (claims, counters, revocations) and token buckets, each with an absolute expiry in
 * unix milliseconds, indexed so the sweep deletes expired rows without a table scan.
 * @internal
 */
export const schema = `
CREATE TABLE IF NOT EXISTS tollgate_entries (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tollgate_entries_expires_at ON tollgate_entries (expires_at);
CREATE TABLE IF NOT EXISTS tollgate_buckets (
  key TEXT PRIMARY KEY NOT NULL,
  tokens REAL NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tollgate_buckets_expires_at ON tollgate_buckets (expires_at);
`
