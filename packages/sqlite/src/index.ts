/**
 * @module @tollgate/sqlite
 * Tollgate on one SQLite file: a durable single-node {@link Store} for gates (spent payments,
 * pass revocations, use counts and rate limits survive restarts and crashes), and a ledger whose
 * budget every agent process on the machine shares.
 */
export {
  type CreateSqliteLedgerOptions,
  createSqliteLedger,
  type SqliteLedger,
} from './create-sqlite-ledger.js'
export { type CreateSqliteStoreOptions, createSqliteStore, type SqliteStore } from './create-sqlite-store.js'
