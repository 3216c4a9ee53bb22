import { randomUUID } from 'node:crypto'
import {
  assertClaimValue,
  assertTokenBucket,
  type ClaimResult,
  decodeClaimEntry,
  type Store,
  type TakeResult,
  TollgateError,
} from '@tollgate/core'
import { createClient } from 'redis'
import type { RedisScript } from './redis-script.js'
import {
  claimScript,
  commitScript,
  incrementScript,
  releaseScript,
  renewScript,
  takeScript,
} from './store-scripts.js'
import { toStoreUnavailable } from './to-store-unavailable.js'

/**
 * The parts of a node-redis client the store uses. Any `createClient()` result from `redis`
 * v5 or v6 fits; it is a structural type so a second copy of `redis` still type-checks.
 */
export type RedisStoreClient = {
  /** Whether the client was connected and not closed (it may be reconnecting). */
  readonly isOpen: boolean
  /** Whether the client can send commands right now. */
  readonly isReady: boolean
  /** Opens the connection; called once by the store when the client is not open yet. */
  connect(): Promise<unknown>
  /** Sends one raw command, such as `['SET', key, token, 'NX', 'PX', '60000']`. */
  sendCommand(args: string[]): Promise<unknown>
  /** Subscribes to `ready`, emitted when the client (re)connects. */
  on(event: 'ready', listener: () => void): unknown
  /** Unsubscribes from `ready`, in `close()`. */
  off(event: 'ready', listener: () => void): unknown
}

/** Options of {@link createRedisStore}. Give `client` or `url`. */
export type CreateRedisStoreOptions = {
  /**
   * A node-redis client to use. The store connects it if it is not open yet and never closes it.
   * For fast failure, create it with `disableOfflineQueue: true` and a `socket.reconnectStrategy`
   * that keeps retrying. Keys are sent as given: the client's own `keyPrefix` is not applied.
   * Default: a client the store creates from `url` and closes in `close()`.
   */
  client?: RedisStoreClient
  /** `redis[s]://[[username][:password]@][host][:port][/db-number]`, used when `client` is not given. */
  url?: string
  /** Prepended to every key, so several gates (or apps) can share one Redis. Default `"tollgate:"`. */
  prefix?: string
  /**
   * Milliseconds one store call may take, including waiting for a reconnect, before it rejects
   * with `store_unavailable`. A reply that reached this process while its event loop was busy past
   * the deadline is still taken. Default 1000.
   */
  commandTimeoutMs?: number
}

/** Counters of {@link RedisStore.stats}. */
export type RedisStoreStats = {
  /** Redis commands sent since the store was created (a `NOSCRIPT` fallback counts twice). */
  commands: number
}

/** A {@link Store} on Redis, with a command counter for benchmarks. */
export type RedisStore = Store & {
  readonly kind: 'redis'
  readonly durable: true
  /** Counters since the store was created. Cheap: no I/O. */
  stats(): RedisStoreStats
  /** Closes the client the store created from `url` (a caller's `client` stays open). */
  close(): Promise<void>
}

// Reconnect forever, backing off to at most one second, so the store recovers on its own.
const reconnectStrategy = (retries: number): number => Math.min(50 * 2 ** retries, 1_000)

/**
 * Creates a {@link Store} on Redis, so every gate instance shares replay protection, pass
 * revocations, use counts and rate limits. Each call is one atomic command (a cached Lua script
 * via `EVALSHA`, or a plain `SET`/`EXISTS`), one round trip: a claim of a held key answers in that
 * same round trip whether it is in flight or spent. Token buckets use the Redis server clock.
 *
 * When Redis is unreachable, slow or answers with an error, every method rejects with
 * `store_unavailable` (`retryAfter: 1`) within `commandTimeoutMs`, so the gate fails closed with a
 * `503`. A claim resolves with a token only when Redis confirmed it.
 *
 * @example
 * import { createRedisStore } from '@tollgate/redis'
 * const store = createRedisStore({ url: process.env.REDIS_URL })
 * const gate = createGate({ routes, payTo, networks, store, secret })
 * @throws {TollgateError} `config_invalid` when neither `client` nor `url` is given, or
 * `commandTimeoutMs` is not a positive number. Store methods reject with `store_unavailable`, or
 * `config_invalid` for a non-finite TTL or an invalid bucket.
 */
export function createRedisStore(options: CreateRedisStoreOptions): RedisStore {
  const prefix = options.prefix ?? 'tollgate:'
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000
  if (!(Number.isFinite(commandTimeoutMs) && commandTimeoutMs > 0)) {
    throw new TollgateError(
      'config_invalid',
      `commandTimeoutMs must be a positive number, got ${commandTimeoutMs}.`,
    )
  }
  const owned = options.client === undefined
  const client = options.client ?? createOwnClient(options.url, commandTimeoutMs)
  let commands = 0

  // One shared promise for callers waiting out a (re)connect, instead of one listener each.
  let readiness: { promise: Promise<void>; resolve: () => void } | undefined
  const onReady = (): void => {
    readiness?.resolve()
    readiness = undefined
  }
  client.on('ready', onReady)
  if (!client.isOpen) {
    // Failures surface through the client's 'error' event and through the calls below.
    client.connect().catch(() => {})
  }
  const whenReady = (): Promise<void> | undefined => {
    if (client.isReady) return undefined
    if (!client.isOpen) throw new Error('The Redis client is closed.')
    if (readiness === undefined) {
      let resolve = (): void => {}
      const promise = new Promise<void>((done) => {
        resolve = done
      })
      readiness = { promise, resolve }
    }
    return readiness.promise
  }

  const send = (args: string[]): Promise<unknown> => {
    commands++
    return client.sendCommand(args)
  }
  const evaluate = async (script: RedisScript, key: string, args: string[]): Promise<unknown> => {
    try {
      return await send(['EVALSHA', script.sha, '1', key, ...args])
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error
      // The server lost its script cache (restart, SCRIPT FLUSH): EVAL also caches it again.
      return await send(['EVAL', script.source, '1', key, ...args])
    }
  }
  // Runs one store call under a single deadline covering reconnect wait, send and reply.
  const run = async <T>(operation: string, body: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let expired = false
    const work = (async () => {
      await whenReady()
      // A reconnect after the deadline must not send a command the caller already gave up on.
      if (expired) throw new Error('Redis reconnected after the deadline.')
      return body()
    })()
    // The reply may still arrive (or fail) after the deadline; nobody is waiting for it then.
    work.catch(() => {})
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Timers run before the event loop reads its sockets: after a stall of this process (a
        // busy event loop), the reply may already be waiting there. Give it that one read first.
        setImmediate(() => {
          expired = true
          reject(new Error(`Redis did not answer within ${commandTimeoutMs} ms.`))
        })
      }, commandTimeoutMs)
    })
    try {
      return await Promise.race([work, deadline])
    } catch (error) {
      throw toStoreUnavailable(operation, error)
    } finally {
      clearTimeout(timer)
    }
  }
  const unexpected = (operation: string, reply: unknown): never => {
    throw toStoreUnavailable(operation, new Error(`Unexpected Redis reply: ${JSON.stringify(reply)}.`))
  }

  return {
    specificationVersion: 'v2',
    kind: 'redis',
    durable: true,
    async claim(key, options) {
      const milliseconds = toMilliseconds(options.ttlSeconds)
      const value = assertClaimValue(options.value)
      const token = randomUUID()
      const fullKey = prefix + key
      let sent = false
      try {
        const reply = await run('claim', () => {
          sent = true
          return evaluate(claimScript, fullKey, [token, milliseconds, value])
        })
        return toClaimResult(reply, token) ?? unexpected('claim', reply)
      } catch (error) {
        // The claim may still land after we gave up; free it so the payer can retry the same proof.
        // Compare-and-delete on our own in-flight token can never free someone else's claim.
        if (sent) run('claim-rollback', () => evaluate(releaseScript, fullKey, [token])).catch(() => {})
        throw error
      }
    },
    async commit(key, token, options) {
      const milliseconds = toMilliseconds(options.ttlSeconds)
      const value = options.value === undefined ? undefined : assertClaimValue(options.value)
      const args = [token, milliseconds, value === undefined ? '0' : '1', value ?? '']
      const reply = await run('commit', () => evaluate(commitScript, prefix + key, args))
      return reply === 1 ? true : reply === 0 ? false : unexpected('commit', reply)
    },
    async release(key, token) {
      const reply = await run('release', () => evaluate(releaseScript, prefix + key, [token]))
      return reply === 1 ? true : reply === 0 ? false : unexpected('release', reply)
    },
    async renew(key, token, ttlSeconds) {
      const milliseconds = toMilliseconds(ttlSeconds)
      const reply = await run('renew', () => evaluate(renewScript, prefix + key, [token, milliseconds]))
      return reply === 1 ? true : reply === 0 ? false : unexpected('renew', reply)
    },
    async increment(key, ttlSeconds) {
      const milliseconds = toMilliseconds(ttlSeconds)
      const reply = await run('increment', () => evaluate(incrementScript, prefix + key, [milliseconds]))
      return typeof reply === 'number' && Number.isSafeInteger(reply) ? reply : unexpected('increment', reply)
    },
    async has(key) {
      const reply = await run('has', () => send(['EXISTS', prefix + key]))
      return reply === 1 ? true : reply === 0 ? false : unexpected('has', reply)
    },
    async put(key, ttlSeconds) {
      const milliseconds = toMilliseconds(ttlSeconds)
      const reply = await run('put', () => send(['SET', prefix + key, '1', 'PX', milliseconds]))
      if (reply !== 'OK') unexpected('put', reply)
    },
    async take(key, bucket) {
      const { capacity, refillPerSecond, cost } = assertTokenBucket(bucket)
      const reply = await run('take', () =>
        evaluate(takeScript, prefix + key, [String(capacity), String(refillPerSecond), String(cost)]),
      )
      return toTakeResult(reply) ?? unexpected('take', reply)
    },
    stats: () => ({ commands }),
    async close() {
      client.off('ready', onReady)
      if (!owned || !client.isOpen) return
      const ownClient = client as ReturnType<typeof createClient>
      let timer: ReturnType<typeof setTimeout> | undefined
      // A graceful close waits for pending replies; if Redis is gone, drop the socket instead.
      const closed = ownClient.close().catch(() => ownClient.destroy())
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (ownClient.isOpen) ownClient.destroy()
          resolve()
        }, commandTimeoutMs)
      })
      await Promise.race([closed, deadline])
      clearTimeout(timer)
    },
  }
}

function createOwnClient(url: string | undefined, commandTimeoutMs: number): RedisStoreClient {
  if (url === undefined) {
    throw new TollgateError('config_invalid', 'createRedisStore needs a `client` or a `url`.')
  }
  const client = createClient({
    url,
    // Reject at once while disconnected instead of queueing commands until Redis returns.
    disableOfflineQueue: true,
    socket: { connectTimeout: commandTimeoutMs, reconnectStrategy },
  })
  // Without a listener, a connection error would be thrown as an uncaught 'error' event.
  client.on('error', () => {})
  return client
}

/** TTL in whole milliseconds, at least 1, as the memory store rounds it. */
function toMilliseconds(ttlSeconds: number): string {
  if (!Number.isFinite(ttlSeconds)) {
    throw new TollgateError('config_invalid', `ttlSeconds must be a finite number, got ${ttlSeconds}.`)
  }
  return String(Math.max(1, Math.ceil(ttlSeconds * 1000)))
}

function toClaimResult(reply: unknown, token: string): ClaimResult | undefined {
  if (!Array.isArray(reply)) return undefined
  if (reply.length === 1 && reply[0] === 1) return { claimed: true, token }
  if (reply.length !== 2 || reply[0] !== 0 || typeof reply[1] !== 'string') return undefined
  const entry = decodeClaimEntry(reply[1])
  return { claimed: false, state: entry.state, value: entry.value }
}

function toTakeResult(reply: unknown): TakeResult | undefined {
  if (!Array.isArray(reply) || reply.length !== 3) return undefined
  const [allowed, remaining, retryMicroseconds] = reply as unknown[]
  if (typeof allowed !== 'number' || typeof remaining !== 'number' || typeof retryMicroseconds !== 'number') {
    return undefined
  }
  return { allowed: allowed === 1, remaining, retryAfterSeconds: retryMicroseconds / 1_000_000 }
}
