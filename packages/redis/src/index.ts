/**
 * @module @tollgate/redis
 * Tollgate on Redis: a {@link Store} for gates (replay protection, pass revocations, use counts
 * and rate limits shared atomically by every gate instance), and a ledger whose budget a fleet of
 * agents shares across machines.
 */
export { type CreateRedisLedgerOptions, createRedisLedger, type RedisLedger } from './create-redis-ledger.js'
export {
  type CreateRedisStoreOptions,
  createRedisStore,
  type RedisStore,
  type RedisStoreClient,
  type RedisStoreStats,
} from './create-redis-store.js'
