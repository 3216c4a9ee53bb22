/**
 * @module @tollgate/redis
 * A Redis {@link Store} for Tollgate gates: replay protection, pass revocations, use counts and
 * rate limits shared atomically by every gate instance.
 */
export {
  type CreateRedisStoreOptions,
  createRedisStore,
  type RedisStore,
  type RedisStoreClient,
  type RedisStoreStats,
} from './create-redis-store.js'
