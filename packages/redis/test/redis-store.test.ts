import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type ClaimResult, TollgateError } from '@tollgate/core'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'
import { type RedisServer, redisSkipReason, startRedisServer } from './redis-server.js'

const skipReason = redisSkipReason()
const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds))
const unique = (label: string) => `${label}:${crypto.randomUUID()}`
/**
 * For the tests that are not about timeouts: the default 1 s deadline of a store call (connecting
 * included) is a production choice, and a busy test machine can miss it, which would fail a test
 * with `store_unavailable` that proves nothing. The test's own timeout bounds these calls.
 */
const patient = { commandTimeoutMs: 30_000 }

/**
 * Calls `call` until the store answers, for the steps of the outage tests that come before or
 * after the outage: their 300 ms deadline is the subject of the test, and a busy machine can miss
 * it while Redis is healthy. Only `store_unavailable` is retried; the test's timeout bounds the wait.
 */
async function untilAnswered<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call()
    } catch (error) {
      if (!(TollgateError.is(error) && error.code === 'store_unavailable')) throw error
      await sleep(50)
    }
  }
}

/** Settles `promise` and measures how long it took. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; milliseconds: number }> {
  const start = performance.now()
  try {
    const value = await promise
    return { value, milliseconds: performance.now() - start }
  } catch (error) {
    return { error, milliseconds: performance.now() - start }
  }
}

/** One call of every Store method, on fresh keys. */
function everyMethod(store: RedisStore): Record<string, () => Promise<unknown>> {
  return {
    claim: () => store.claim(unique('claim'), { ttlSeconds: 60 }),
    commit: () => store.commit(unique('commit'), 'token', { ttlSeconds: 60 }),
    release: () => store.release(unique('release'), 'token'),
    increment: () => store.increment(unique('increment'), 60),
    has: () => store.has(unique('has')),
    put: () => store.put(unique('put'), 60),
    take: () => store.take(unique('take'), { capacity: 3, refillPerSecond: 1 }),
  }
}

const callEveryMethod = (store: RedisStore): Promise<unknown[]> =>
  Promise.all(Object.values(everyMethod(store)).map((call) => call()))

/**
 * Calls every method and expects each to reject with `store_unavailable`. "In time" is the state
 * the calls settle in, not a stopwatch: callers keep Redis down (or frozen) until they return, so
 * a rejection can only come from the store giving up, never from Redis answering late.
 */
async function expectAllUnavailable(store: RedisStore): Promise<void> {
  const outcomes = await Promise.all(
    Object.entries(everyMethod(store)).map(async ([method, call]) => ({
      method,
      ...(await settle(call())),
    })),
  )
  for (const outcome of outcomes) {
    expect(TollgateError.is(outcome.error), outcome.method).toBe(true)
    expect(outcome.error, outcome.method).toMatchObject({ code: 'store_unavailable', retryAfter: 1 })
  }
}

const holderScript = fileURLToPath(new URL('./fixtures/claim-holder.mjs', import.meta.url))
const waitForKeyScript = fileURLToPath(new URL('./fixtures/wait-for-key.mjs', import.meta.url))

/** Starts a second process that claims `held`, claims and commits `spent`, prints a line and hangs. */
function spawnHolder(url: string, prefix: string): { process: ChildProcess; next(): Promise<string> } {
  const child = spawn(process.execPath, [holderScript, url, prefix], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
  return {
    process: child,
    async next() {
      const line = await lines.next()
      if (line.done) throw new Error(`The holder exited early: ${stderr.trim()}`)
      return line.value as string
    },
  }
}

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode ?? child.exitCode)
    else child.once('exit', (code, signal) => resolve(signal ?? code))
  })

async function findFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

describe.skipIf(skipReason !== undefined)(
  `createRedisStore${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let server: RedisServer
    let inspector: ReturnType<typeof createClient>
    beforeAll(async () => {
      server = await startRedisServer()
      inspector = createClient({ url: server.url })
      await inspector.connect()
    })
    afterAll(async () => {
      await inspector?.close()
      await server?.stop()
    })

    test('default: a durable store named "redis" with the "tollgate:" prefix', async () => {
      const store = createRedisStore({ ...patient, url: server.url })
      try {
        expect(store).toMatchObject({ specificationVersion: 'v2', kind: 'redis', durable: true })
        const key = unique('default')
        expect((await store.claim(key, { ttlSeconds: 60 })).claimed).toBe(true)
        expect(await inspector.exists(`tollgate:${key}`)).toBe(1)
      } finally {
        await store.close()
      }
    })

    test('behavior: TTLs are set in milliseconds (PX), not rounded to seconds', async () => {
      const prefix = `${unique('px')}:`
      // A real client whose commands are recorded: what the store asks Redis for, exactly.
      const client = createClient({ url: server.url })
      const sent: string[][] = []
      const recording = {
        get isOpen() {
          return client.isOpen
        },
        get isReady() {
          return client.isReady
        },
        connect: () => client.connect(),
        sendCommand: (args: string[]) => {
          sent.push(args)
          return client.sendCommand(args)
        },
        on: (event: 'ready', listener: () => void) => client.on(event, listener),
        off: (event: 'ready', listener: () => void) => client.off(event, listener),
      }
      const store = createRedisStore({ ...patient, client: recording, prefix })
      try {
        await store.claim('claim', { ttlSeconds: 0.25 })
        await store.put('put', 30.5)
        await store.increment('counter', 30.75)
        // A claim is one script call: EVALSHA sha 1 key token milliseconds value.
        expect(sent.find((args) => args[0] === 'EVALSHA' && args[3] === `${prefix}claim`)?.[5]).toBe('250')
        expect(sent.find((args) => args[0] === 'SET' && args[1] === `${prefix}put`)?.slice(-2)).toEqual([
          'PX',
          '30500',
        ])
        expect(sent.find((args) => args.includes(`${prefix}counter`))?.at(-1)).toBe('30750')
        // A TTL only counts down, so these upper bounds hold however slow the machine is.
        expect(await inspector.pTTL(`${prefix}put`)).toBeLessThanOrEqual(30_500)
        expect(await inspector.pTTL(`${prefix}counter`)).toBeLessThanOrEqual(30_750)
        // A later increment does not extend the counter's life.
        await store.increment('counter', 60)
        expect(await inspector.pTTL(`${prefix}counter`)).toBeLessThanOrEqual(30_750)
        // Redis expires the 250 ms claim: once more than that has passed, it can be claimed again.
        await sleep(300)
        expect((await store.claim('claim', { ttlSeconds: 60 })).claimed).toBe(true)
      } finally {
        await store.close()
        await client.close()
      }
    })

    test('behavior: every key carries the prefix', async () => {
      const prefix = `${unique('prefixed')}:`
      const store = createRedisStore({ ...patient, url: server.url, prefix })
      try {
        await store.claim('a', { ttlSeconds: 60 })
        await store.put('b', 60)
        await store.increment('c', 60)
        await store.take('d', { capacity: 1, refillPerSecond: 1 })
        expect((await inspector.keys(`${prefix}*`)).sort()).toEqual(
          ['a', 'b', 'c', 'd'].map((key) => prefix + key),
        )
        expect(await inspector.exists(['a', 'b', 'c', 'd'])).toBe(0)
      } finally {
        await store.close()
      }
    })

    test('behavior: two stores with different prefixes do not collide', async () => {
      const shared = unique('shared')
      const first = createRedisStore({ ...patient, url: server.url, prefix: `${unique('first')}:` })
      const second = createRedisStore({ ...patient, url: server.url, prefix: `${unique('second')}:` })
      try {
        expect((await first.claim(shared, { ttlSeconds: 60 })).claimed).toBe(true)
        expect((await second.claim(shared, { ttlSeconds: 60 })).claimed).toBe(true)
        await first.increment(`${shared}:count`, 60)
        await first.increment(`${shared}:count`, 60)
        expect(await second.increment(`${shared}:count`, 60)).toBe(1)
        await first.put(`${shared}:revoked`, 60)
        expect(await second.has(`${shared}:revoked`)).toBe(false)
        const bucket = { capacity: 1, refillPerSecond: 0.001 }
        expect((await first.take(`${shared}:bucket`, bucket)).allowed).toBe(true)
        expect((await second.take(`${shared}:bucket`, bucket)).allowed).toBe(true)
      } finally {
        await first.close()
        await second.close()
      }
    })

    test('behavior: 1000 concurrent claims of one key over two connections, exactly one token', async () => {
      const prefix = `${unique('race')}:`
      const first = createRedisStore({ ...patient, url: server.url, prefix })
      const second = createRedisStore({ ...patient, url: server.url, prefix })
      try {
        const results = await Promise.all(
          Array.from({ length: 1_000 }, (_, index) =>
            (index % 2 === 0 ? first : second).claim('proof', { ttlSeconds: 60 }),
          ),
        )
        expect(results.filter((result) => result.claimed)).toHaveLength(1)
        expect(results.filter((result) => !result.claimed && result.state === 'in_flight')).toHaveLength(999)
        expect(first.stats().commands + second.stats().commands).toBe(1_000)
      } finally {
        await first.close()
        await second.close()
      }
    })

    test('behavior: a gate process SIGKILLed while holding a claim leaves it in flight, and a commit it made stays spent', async () => {
      const prefix = `${unique('crash')}:`
      const holder = spawnHolder(server.url, prefix)
      try {
        expect(JSON.parse(await holder.next())).toMatchObject({ held: true, committed: true })
      } finally {
        holder.process.kill('SIGKILL')
      }
      expect(await exited(holder.process)).toBe('SIGKILL')
      const store = createRedisStore({ url: server.url, prefix })
      try {
        expect(await store.claim('held', { ttlSeconds: 60 })).toEqual({
          claimed: false,
          state: 'in_flight',
          value: 'child',
        })
        expect(await store.claim('spent', { ttlSeconds: 60 })).toEqual({
          claimed: false,
          state: 'spent',
          value: 'committed',
        })
        expect(await store.release('held', 'stranger')).toBe(false)
        expect(await store.commit('held', 'stranger', { ttlSeconds: 60 })).toBe(false)
        // The in-flight claim kept its full TTL: a crash never shortens it.
        expect(await inspector.pTTL(`${prefix}held`)).toBeGreaterThan(3_500_000)
      } finally {
        await store.close()
      }
    })

    test('behavior: commit sets the spent TTL in milliseconds and never shortens it; a v1 entry reads as spent', async () => {
      const prefix = `${unique('commit-ttl')}:`
      const store = createRedisStore({ url: server.url, prefix })
      try {
        const short = await store.claim('short', { ttlSeconds: 0.5 })
        const long = await store.claim('long', { ttlSeconds: 60 })
        expect(await store.commit('short', short.claimed ? short.token : '', { ttlSeconds: 30 })).toBe(true)
        expect(await store.commit('long', long.claimed ? long.token : '', { ttlSeconds: 1 })).toBe(true)
        expect(await inspector.pTTL(`${prefix}short`)).toBeGreaterThan(29_000)
        expect(await inspector.pTTL(`${prefix}long`)).toBeGreaterThan(59_000)
        // A bare token, as a v1 store wrote it with SET NX, is never re-admitted.
        await inspector.set(`${prefix}legacy`, crypto.randomUUID(), { PX: 60_000 })
        expect(await store.claim('legacy', { ttlSeconds: 60 })).toEqual({
          claimed: false,
          state: 'spent',
          value: '',
        })
        expect(await store.release('legacy', 'anything')).toBe(false)
      } finally {
        await store.close()
      }
    })

    test('behavior: take uses the Redis server clock, not the local one', async () => {
      const store = createRedisStore({ ...patient, url: server.url, prefix: `${unique('clock')}:` })
      try {
        // A frozen, hour-skewed local clock: a bucket on the local clock would never refill.
        vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_600_000)
        vi.spyOn(performance, 'now').mockReturnValue(0)
        const bucket = { capacity: 2, refillPerSecond: 5 }
        expect((await store.take('bucket', bucket)).allowed).toBe(true)
        expect(await store.take('bucket', bucket)).toEqual({
          allowed: true,
          remaining: 0,
          retryAfterSeconds: 0,
        })
        const refused = await store.take('bucket', bucket)
        expect(refused.allowed).toBe(false)
        // At most one token's refill time (0.2 s at 5 per second), less what already elapsed.
        expect(refused.retryAfterSeconds).toBeGreaterThan(0)
        expect(refused.retryAfterSeconds).toBeLessThanOrEqual(0.2)
        await sleep(250)
        expect((await store.take('bucket', bucket)).allowed).toBe(true)
      } finally {
        vi.restoreAllMocks()
        await store.close()
      }
    })

    test('behavior: one command per call, and scripts reload after SCRIPT FLUSH', async () => {
      const store = createRedisStore({ ...patient, url: server.url, prefix: `${unique('count')}:` })
      try {
        await callEveryMethod(store)
        for (const [method, call] of Object.entries(everyMethod(store))) {
          const before = store.stats().commands
          await call()
          expect(store.stats().commands - before, method).toBe(1)
        }
        await inspector.scriptFlush()
        const before = store.stats().commands
        expect(await store.increment('after-flush', 60)).toBe(1)
        // EVALSHA answered NOSCRIPT, then EVAL ran (and cached) the script.
        expect(store.stats().commands - before).toBe(2)
        expect(await store.increment('after-flush', 60)).toBe(2)
        expect(store.stats().commands - before).toBe(3)
      } finally {
        await store.close()
      }
    })

    test('behavior: uses a caller-owned client and leaves it open on close', async () => {
      const client = createClient({ url: server.url, disableOfflineQueue: true })
      client.on('error', () => {})
      const store = createRedisStore({ client, prefix: `${unique('owned')}:` })
      expect((await store.claim('key', { ttlSeconds: 60 })).claimed).toBe(true)
      await store.close()
      expect(client.isReady).toBe(true)
      expect(await client.ping()).toBe('PONG')
      await client.close()
    })

    test('error: config_invalid without a client or url, and for invalid arguments', async () => {
      expect(() => createRedisStore({})).toThrowError(expect.objectContaining({ code: 'config_invalid' }))
      expect(() => createRedisStore({ url: server.url, commandTimeoutMs: 0 })).toThrowError(
        expect.objectContaining({ code: 'config_invalid' }),
      )
      const store = createRedisStore({ ...patient, url: server.url, prefix: `${unique('invalid')}:` })
      try {
        await expect(store.claim('key', { ttlSeconds: Number.NaN })).rejects.toMatchObject({
          code: 'config_invalid',
        })
        await expect(store.take('key', { capacity: 1, refillPerSecond: 0 })).rejects.toMatchObject({
          code: 'config_invalid',
        })
      } finally {
        await store.close()
      }
    })

    test('error: unreachable from the start, every method rejects with store_unavailable in time', async () => {
      const port = await findFreePort()
      const store = createRedisStore({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 200 })
      try {
        await expectAllUnavailable(store)
      } finally {
        await store.close()
      }
    })

    test('behavior: with persistence, a crash and restart of Redis keeps every claim (no replay window)', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'tollgate-redis-'))
      onTestFinished(() => rmSync(directory, { recursive: true, force: true }))
      let server = await startRedisServer({ persistDirectory: directory })
      const store = createRedisStore({ ...patient, url: server.url })
      try {
        const key = unique('spent')
        const claimed = await store.claim(key, { ttlSeconds: 3600, value: 'payer' })
        expect(claimed.claimed).toBe(true)
        const spent = unique('spent')
        const spentClaim = await store.claim(spent, { ttlSeconds: 3600 })
        expect(
          await store.commit(spent, spentClaim.claimed ? spentClaim.token : '', {
            ttlSeconds: 3600,
            value: 'sold',
          }),
        ).toBe(true)
        await server.kill()
        server = await startRedisServer({ port: server.port, persistDirectory: directory })
        // The store reconnects on its own; the claim made before the crash still holds.
        let answer: ClaimResult | 'unavailable' = 'unavailable'
        for (let attempt = 0; attempt < 50 && answer === 'unavailable'; attempt++) {
          answer = await store.claim(key, { ttlSeconds: 3600 }).catch(() => 'unavailable' as const)
          if (answer === 'unavailable') await sleep(100)
        }
        // Both the in-flight claim and the spent one kept their state and value.
        expect(answer).toEqual({ claimed: false, state: 'in_flight', value: 'payer' })
        expect(await store.claim(spent, { ttlSeconds: 3600 })).toEqual({
          claimed: false,
          state: 'spent',
          value: 'sold',
        })
      } finally {
        await store.close()
        await server.stop()
      }
    })

    test('error: Redis killed mid-run, every call fails fast and no claim gets a token; it recovers after a restart', async () => {
      let own = await startRedisServer()
      const store = createRedisStore({ url: own.url, commandTimeoutMs: 300 })
      try {
        expect((await untilAnswered(() => store.claim(unique('proof'), { ttlSeconds: 60 }))).claimed).toBe(
          true,
        )

        // Observed from the start: a claim that fails while the kill is under way must not be an
        // unhandled rejection (the socket can close before the process exit is reported).
        const inFlight = Promise.allSettled(
          Array.from({ length: 200 }, () => store.claim(unique('in-flight'), { ttlSeconds: 60 })),
        )
        await own.kill()
        const during = [
          ...(await inFlight),
          ...(await Promise.allSettled(
            Array.from({ length: 200 }, () => store.claim(unique('while-down'), { ttlSeconds: 60 })),
          )),
        ]
        for (const outcome of during) {
          // A claim Redis confirmed before the crash may succeed; every other one must reject.
          if (outcome.status === 'rejected')
            expect(outcome.reason).toMatchObject({ code: 'store_unavailable' })
        }
        expect(during.slice(200).every((outcome) => outcome.status === 'rejected')).toBe(true)
        await expectAllUnavailable(store)

        own = await startRedisServer({ port: own.port })
        // It reconnects by itself: waited for as a state, bounded by the test's timeout.
        expect(
          (await untilAnswered(() => store.claim(unique('after-restart'), { ttlSeconds: 60 }))).claimed,
        ).toBe(true)
        // The restarted server has no script cache: EVALSHA falls back to EVAL.
        expect(await untilAnswered(() => store.increment(unique('counter'), 60))).toBe(1)
        const bucket = { capacity: 1, refillPerSecond: 1 }
        expect((await untilAnswered(() => store.take(unique('bucket'), bucket))).allowed).toBe(true)
      } finally {
        await store.close()
        await own.stop()
      }
    }, 60_000)

    test('behavior: a reply that arrived while this process was busy past commandTimeoutMs is taken, not refused', async () => {
      const prefix = `${unique('stall')}:`
      const store = createRedisStore({ url: server.url, prefix, commandTimeoutMs: 300 })
      try {
        await untilAnswered(() => callEveryMethod(store))
        const key = unique('proof')
        const claim = settle(store.claim(key, { ttlSeconds: 60 }))
        // The client writes its commands in a `setImmediate` queued as it sends them (within a few
        // microtask turns). Right after that write, before the event loop reads any socket, this
        // process is held (by a synchronous child) until Redis ran the claim and the deadline is long
        // past: the reply then waits on the socket while the deadline's timer is due.
        for (let turn = 0; turn < 20; turn++) await null
        const held = await new Promise<ReturnType<typeof spawnSync>>((resolve) =>
          setImmediate(() =>
            resolve(
              spawnSync(
                process.execPath,
                [waitForKeyScript, String(server.port), `${prefix}${key}`, String(Date.now() + 600)],
                { stdio: 'ignore' },
              ),
            ),
          ),
        )
        expect(held.status).toBe(0)
        expect((await claim).value).toMatchObject({ claimed: true })
      } finally {
        await store.close()
      }
    })

    test('error: a frozen Redis times out at commandTimeoutMs, and a timed-out claim is rolled back', async () => {
      const own = await startRedisServer()
      const store = createRedisStore({ url: own.url, commandTimeoutMs: 300 })
      try {
        // Load the scripts, so the rollback is one EVALSHA queued right behind the SET.
        await untilAnswered(() => callEveryMethod(store))
        const proof = unique('proof')
        own.pause()
        const claim = await settle(store.claim(proof, { ttlSeconds: 60 }))
        // Redis stays frozen until after these checks, so only the timeout can end the wait.
        expect(claim.error).toMatchObject({ code: 'store_unavailable', retryAfter: 1 })
        expect(claim.milliseconds).toBeGreaterThanOrEqual(290)
        await expectAllUnavailable(store)
        own.resume()
        // Redis then runs the late SET and the rollback, in order: the payer can retry the proof.
        expect(await untilAnswered(() => store.has(proof))).toBe(false)
        expect((await untilAnswered(() => store.claim(proof, { ttlSeconds: 60 }))).claimed).toBe(true)
      } finally {
        own.resume()
        await store.close()
        await own.stop()
      }
    }, 60_000)
  },
)
