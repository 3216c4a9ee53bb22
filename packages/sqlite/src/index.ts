/**
 * @module @tollgate/sqlite
 * A durable single-node {@link Store} for Tollgate gates in one SQLite file: spent payments,
 * pass revocations, use counts and rate limits survive restarts and crashes.
 */
export { type CreateSqliteStoreOptions, createSqliteStore, type SqliteStore } from './create-sqlite-store.js'
