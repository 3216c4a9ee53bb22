import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { createSqliteStore } from '../src/index.js'

const directory = mkdtempSync(join(tmpdir(), 'tollgate-sqlite-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
const freshPath = () => join(directory, `${crypto.randomUUID()}.db`)
const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds))

const child = fileURLToPath(new URL('./fixtures/store-child.mjs', import.meta.url))
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** Starts the child fixture; `lines()` yields its stdout line by line. */
function spawnChild(...args: string[]): { process: ChildProcessWithoutNullStreams; next(): Promise<string> } {
  if (!existsSync(built))
    throw new Error('The multi-process tests run the built package: run `pnpm build` first.')
  const process = spawn(globalThis.process.execPath, [child, ...args])
  let stderr = ''
  process.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const iterator = createInterface({ input: process.stdout })[Symbol.asyncIterator]()
  return {
    process,
    async next() {
      const line = await iterator.next()
      if (line.done) throw new Error(`The child exited early: ${stderr.trim()}`)
      return line.value
    },
  }
}

const exited = (process: ChildProcessWithoutNullStreams) =>
  new Promise<NodeJS.Signals | number | null>((resolve) => {
    if (process.exitCode !== null || process.signalCode !== null)
      resolve(process.signalCode ?? process.exitCode)
    else process.once('exit', (code, signal) => resolve(signal ?? code))
  })

describe('createSqliteStore', () => {
  test('default: a durable store named "sqlite", in WAL mode, with its schema', async () => {
    const path = freshPath()
    const store = createSqliteStore({ path })
    expect(store).toMatchObject({ specificationVersion: 'v2', kind: 'sqlite', durable: true })
    const inspector = new Database(path, { readonly: true })
    try {
      expect(inspector.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(inspector.pragma('user_version', { simple: true })).toBe(1)
      const tables = inspector
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
      expect(tables).toEqual([{ name: 'tollgate_buckets' }, { name: 'tollgate_entries' }])
    } finally {
      inspector.close()
      await store.close()
    }
  })

  test('behavior: claims, counters, revocations and buckets survive closing and reopening', async () => {
    const path = freshPath()
    const first = createSqliteStore({ path })
    const claimed = await first.claim('proof', { ttlSeconds: 60, value: 'payer' })
    const token = claimed.claimed ? claimed.token : ''
    expect(token).not.toBe('')
    await first.increment('uses', 60)
    await first.put('revoked', 60)
    await first.take('bucket', { capacity: 1, refillPerSecond: 0.001 })
    await first.close()

    const second = createSqliteStore({ path })
    try {
      expect(await second.claim('proof', { ttlSeconds: 60 })).toEqual({
        claimed: false,
        state: 'in_flight',
        value: 'payer',
      })
      expect(await second.increment('uses', 60)).toBe(2)
      expect(await second.has('revoked')).toBe(true)
      expect((await second.take('bucket', { capacity: 1, refillPerSecond: 0.001 })).allowed).toBe(false)
      // The original owner's token still releases it after the restart.
      expect(await second.release('proof', token)).toBe(true)
      expect((await second.claim('proof', { ttlSeconds: 60 })).claimed).toBe(true)
    } finally {
      await second.close()
    }
  })

  test('behavior: a claim acknowledged by a process that is then SIGKILLed stays in flight after reopening', async () => {
    const path = freshPath()
    const { process, next } = spawnChild('claim-and-hang', path, 'eip155:8453:0xabc:0')
    const { token } = JSON.parse(await next()) as { token?: string }
    expect(token).toBeTypeOf('string')
    process.kill('SIGKILL')
    expect(await exited(process)).toBe('SIGKILL')

    const store = createSqliteStore({ path })
    try {
      expect(await store.has('eip155:8453:0xabc:0')).toBe(true)
      // Never re-admitted: the claim is still held, in flight, with its value.
      expect(await store.claim('eip155:8453:0xabc:0', { ttlSeconds: 60 })).toEqual({
        claimed: false,
        state: 'in_flight',
        value: 'child',
      })
      // A stranger's token cannot free it; only the dead owner's token could.
      expect(await store.release('eip155:8453:0xabc:0', 'stranger')).toBe(false)
      expect(await store.commit('eip155:8453:0xabc:0', 'stranger', { ttlSeconds: 60 })).toBe(false)
    } finally {
      await store.close()
    }
  })

  test('behavior: a commit acknowledged by a process that is then SIGKILLed is spent after reopening', async () => {
    const path = freshPath()
    const { process, next } = spawnChild('claim-and-hang', path, 'spent-proof', 'commit')
    const { token, committed } = JSON.parse(await next()) as { token?: string; committed: boolean }
    expect(token).toBeTypeOf('string')
    expect(committed).toBe(true)
    process.kill('SIGKILL')
    expect(await exited(process)).toBe('SIGKILL')

    const store = createSqliteStore({ path })
    try {
      expect(await store.claim('spent-proof', { ttlSeconds: 60 })).toEqual({
        claimed: false,
        state: 'spent',
        value: 'committed',
      })
      expect(await store.release('spent-proof', token as string)).toBe(false)
    } finally {
      await store.close()
    }
  })

  test('behavior: a live process holds a claim in flight; this process sees it in flight, cannot free it, and reads a v1 entry as spent', async () => {
    const path = freshPath()
    const { process, next } = spawnChild('claim-and-hang', path, 'held')
    try {
      const { token } = JSON.parse(await next()) as { token: string }
      const store = createSqliteStore({ path })
      try {
        expect(await store.claim('held', { ttlSeconds: 60 })).toEqual({
          claimed: false,
          state: 'in_flight',
          value: 'child',
        })
        expect(await store.release('held', `${token}x`)).toBe(false)
        // The owner's token works from any process: the claim is in the file, not in memory.
        expect(await store.commit('held', token, { ttlSeconds: 60 })).toBe(true)
        expect(await store.claim('held', { ttlSeconds: 60 })).toMatchObject({ state: 'spent' })
      } finally {
        await store.close()
      }
      // An entry written by a v1 store (a bare token) is spent, never re-admitted.
      const writer = new Database(path)
      writer
        .prepare('INSERT INTO tollgate_entries (key, value, expires_at) VALUES (?, ?, ?)')
        .run('legacy', crypto.randomUUID(), Date.now() + 60_000)
      writer.close()
      const reader = createSqliteStore({ path })
      try {
        expect(await reader.claim('legacy', { ttlSeconds: 60 })).toEqual({
          claimed: false,
          state: 'spent',
          value: '',
        })
      } finally {
        await reader.close()
      }
    } finally {
      process.kill('SIGKILL')
      await exited(process)
    }
  })

  test('behavior: two processes racing 200 claims of one key through one file, exactly one wins', async () => {
    const path = freshPath()
    // Create the file first, so both children only open it.
    await createSqliteStore({ path }).close()
    const keys = 300
    const racers = [
      spawnChild('race', path, 'proof', '100', String(keys)),
      spawnChild('race', path, 'proof', '100', String(keys)),
    ]
    for (const racer of racers) expect(await racer.next()).toBe('ready')
    for (const racer of racers) racer.process.stdin.write('go\n')
    const results = await Promise.all(
      racers.map(
        async (racer) =>
          JSON.parse(await racer.next()) as { single: number; inFlight: number; won: number[] },
      ),
    )
    await Promise.all(racers.map((racer) => exited(racer.process)))

    expect(results[0]!.single + results[1]!.single).toBe(1)
    // Nobody committed, so every loser was told the claim is in flight, not spent.
    expect(results[0]!.inFlight + results[1]!.inFlight).toBe(199)
    // And then 300 more keys, each claimed by both processes: every key has exactly one winner.
    const won = [...results[0]!.won, ...results[1]!.won].sort((left, right) => left - right)
    expect(won).toEqual(Array.from({ length: keys }, (_, index) => index))
  }, 30_000)

  test('behavior: expired rows are swept, on demand and by the timer', async () => {
    const path = freshPath()
    let clock = 1_000_000
    const store = createSqliteStore({ path, now: () => clock, sweepIntervalMs: 20 })
    const inspector = new Database(path, { readonly: true })
    const count = () =>
      inspector
        .prepare<[], { rows: number }>(
          'SELECT (SELECT count(*) FROM tollgate_entries) + (SELECT count(*) FROM tollgate_buckets) AS rows',
        )
        .get()!.rows
    try {
      for (let index = 0; index < 1_200; index++) await store.claim(`short:${index}`, { ttlSeconds: 1 })
      await store.take('bucket', { capacity: 1, refillPerSecond: 10 })
      await store.put('long', 60)
      expect(count()).toBe(1_202)
      clock += 1_000
      expect(await store.sweep()).toBe(1_201)
      expect(count()).toBe(1)

      await store.claim('later', { ttlSeconds: 1 })
      clock += 1_000
      await sleep(100)
      expect(count()).toBe(1)
      expect(await store.has('long')).toBe(true)
    } finally {
      inspector.close()
      await store.close()
    }
  })

  test('error: a write lock held past busyTimeoutMs rejects with store_unavailable; reads still answer', async () => {
    const path = freshPath()
    const store = createSqliteStore({ path, busyTimeoutMs: 100 })
    await store.put('revoked', 60)
    const blocker = new Database(path)
    try {
      blocker.exec('BEGIN IMMEDIATE')
      const start = performance.now()
      await expect(store.claim('proof', { ttlSeconds: 60 })).rejects.toMatchObject({
        code: 'store_unavailable',
        retryAfter: 1,
      })
      expect(performance.now() - start).toBeGreaterThanOrEqual(90)
      expect(performance.now() - start).toBeLessThan(1_000)
      await expect(store.increment('uses', 60)).rejects.toMatchObject({ code: 'store_unavailable' })
      await expect(store.take('bucket', { capacity: 1, refillPerSecond: 1 })).rejects.toMatchObject({
        code: 'store_unavailable',
      })
      // WAL readers never wait for the writer.
      expect(await store.has('revoked')).toBe(true)
      blocker.exec('COMMIT')
      expect((await store.claim('proof', { ttlSeconds: 60 })).claimed).toBe(true)
    } finally {
      blocker.close()
      await store.close()
    }
  })

  test('error: every method of a closed store rejects with store_unavailable', async () => {
    const store = createSqliteStore({ path: freshPath() })
    await store.close()
    const calls = [
      store.claim('a', { ttlSeconds: 60 }),
      store.commit('a', 'token', { ttlSeconds: 60 }),
      store.release('a', 'token'),
      store.increment('a', 60),
      store.has('a'),
      store.put('a', 60),
      store.take('a', { capacity: 1, refillPerSecond: 1 }),
    ]
    for (const call of calls)
      await expect(call).rejects.toMatchObject({ code: 'store_unavailable', retryAfter: 1 })
  })

  test('error: a path that cannot be opened is store_unavailable', () => {
    expect(() => createSqliteStore({ path: join(directory, 'missing', 'dir', 'store.db') })).toThrowError(
      expect.objectContaining({ code: 'store_unavailable' }),
    )
  })

  test('error: config_invalid for a non-durable path, bad options and bad arguments', async () => {
    for (const path of ['', ':memory:']) {
      expect(() => createSqliteStore({ path })).toThrowError(
        expect.objectContaining({ code: 'config_invalid' }),
      )
    }
    expect(() => createSqliteStore({ path: freshPath(), busyTimeoutMs: -1 })).toThrowError(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    const store = createSqliteStore({ path: freshPath() })
    try {
      await expect(store.claim('a', { ttlSeconds: Number.POSITIVE_INFINITY })).rejects.toMatchObject({
        code: 'config_invalid',
      })
      await expect(store.take('a', { capacity: 0, refillPerSecond: 1 })).rejects.toMatchObject({
        code: 'config_invalid',
      })
    } finally {
      await store.close()
    }
  })
})
