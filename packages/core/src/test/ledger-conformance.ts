import type { Ledger, LedgerLimit, LedgerRecord, LedgerReserveRequest } from '../ledger/types.js'
import type { LedgerWorkerTask } from './run-ledger-worker.js'

/** The parts of a test runner {@link defineLedgerConformance} needs (vitest and jest fit). */
export type LedgerConformanceRunner = {
  describe: (name: string, body: () => void) => void
  test: (name: string, body: () => Promise<void>, timeout?: number) => void
  expect: (value: unknown) => {
    toBe(expected: unknown): void
    toEqual(expected: unknown): void
    toBeUndefined(): void
  }
}

/** A worker process started by {@link LedgerConformanceOptions.spawn}. */
export type LedgerConformanceWorker = {
  /** Resolves with the first line the worker prints (its JSON result, or `{"ready":true}`). */
  firstLine: Promise<string>
  /** Resolves once the process has exited, with its exit code or signal. */
  exited: Promise<unknown>
  /** Kills the process with SIGKILL: no cleanup runs. */
  kill(): void
}

/** Options of {@link defineLedgerConformance}. */
export type LedgerConformanceOptions = {
  /** Suite name, such as `"sqlite"`. */
  name: string
  /** Opens a ledger on fresh, empty storage, identified by `storage` (a file path, a key prefix). */
  create: (storage: string) => Promise<Ledger> | Ledger
  /** Opens another ledger on the same storage, as a restarted process would. Default `create`. */
  reopen?: (storage: string) => Promise<Ledger> | Ledger
  /** Closes a ledger. Default `ledger.close?.()`. */
  close?: (ledger: Ledger) => Promise<void>
  /**
   * Whether several ledger objects (and processes) may write one storage at once. A locked file
   * ledger is not shared: its crash test closes the parent's ledger before the worker runs.
   */
  shared: boolean
  /** Whether the ledger keeps its data across a reopen; a memory ledger does not. Default true. */
  durable?: boolean
  /**
   * Starts a worker process that opens a ledger on `storage` and runs `task` with
   * `runLedgerWorker`, printing its result line. Without it the multi-process tests are skipped.
   */
  spawn?: (storage: string, task: LedgerWorkerTask) => LedgerConformanceWorker
}

const T = 1_700_000_000_000
const LINE = 'usd:18'

/**
 * Defines the behaviour every {@link Ledger} backend must have, as tests in your runner: atomic
 * reservations under concurrency (in one process and, with `spawn`, two processes × 50), windows,
 * idempotent commit and release, holds on payments in flight that no other request can take, reuse
 * rules, durability across a reopen, and `kill -9` mid-payment: committed plus reserved never
 * exceeds a limit and a record written before the crash is seen after it.
 *
 * @example
 * import { describe, expect, test } from 'vitest'
 * defineLedgerConformance({ describe, test, expect }, { name: 'sqlite', shared: true, create: (path) => createSqliteLedger({ path }) })
 */
export function defineLedgerConformance(
  runner: LedgerConformanceRunner,
  options: LedgerConformanceOptions,
): void {
  const { describe, test, expect } = runner
  const close = options.close ?? ((ledger: Ledger) => ledger.close?.() ?? Promise.resolve())
  const reopen = options.reopen ?? options.create
  const storageOf = (label: string) => `${label}-${crypto.randomUUID()}`
  const withLedger = async (body: (ledger: Ledger, storage: string) => Promise<void>): Promise<void> => {
    const storage = storageOf('ledger')
    const ledger = await options.create(storage)
    try {
      await body(ledger, storage)
    } finally {
      await close(ledger)
    }
  }

  describe(`Ledger conformance: ${options.name}`, () => {
    test('reserve: within the limit it reserves; past it, it refuses and names the line', () =>
      withLedger(async (ledger) => {
        const limits = [{ line: LINE, limit: 10n }]
        expect((await ledger.reserve(request('a', 6n, limits))).reserved).toBe(true)
        const refused = await ledger.reserve(request('b', 5n, limits))
        expect(refused).toEqual({
          reserved: false,
          exceeded: { line: LINE, limit: 10n, committed: 0n, reserved: 6n },
        })
        expect((await ledger.reserve(request('c', 4n, limits))).reserved).toBe(true)
        expect(await ledger.usage(limits, T)).toEqual([
          { line: LINE, limit: 10n, committed: 0n, reserved: 10n },
        ])
      }))

    test('reserve: 100 concurrent reservations never pass the limit together', () =>
      withLedger(async (ledger) => {
        const limits = [{ line: LINE, limit: 30n }]
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, index) => ledger.reserve(request(`r${index}`, 1n, limits))),
        )
        expect(results.filter((result) => result.reserved).length).toBe(30)
        const [usage] = await ledger.usage(limits, T)
        expect(usage?.reserved).toBe(30n)
      }))

    test('commit and release: idempotent, once each; a release after commit changes nothing', () =>
      withLedger(async (ledger) => {
        const limits = [{ line: LINE, limit: 10n }]
        await ledger.reserve(request('a', 4n, limits))
        await ledger.reserve(request('b', 4n, limits))
        expect((await ledger.commit('a', T + 1))?.status).toBe('committed')
        expect(await ledger.commit('a', T + 2)).toBeUndefined()
        expect(await ledger.release('a', T + 3)).toBeUndefined()
        expect((await ledger.release('b', T + 1))?.status).toBe('released')
        expect(await ledger.release('b', T + 2)).toBeUndefined()
        expect(await ledger.commit('unknown', T)).toBeUndefined()
        expect(await ledger.usage(limits, T + 5)).toEqual([
          { line: LINE, limit: 10n, committed: 4n, reserved: 0n },
        ])
        const spends = await ledger.spends()
        expect(spends.map((spend) => [spend.id, spend.status, spend.settledAt])).toEqual([
          ['a', 'committed', T + 1],
        ])
      }))

    test('commit: money that moved counts even after a mistaken release', () =>
      withLedger(async (ledger) => {
        const limits = [{ line: LINE, limit: 10n }]
        await ledger.reserve(request('a', 7n, limits))
        await ledger.release('a', T + 1)
        expect((await ledger.commit('a', T + 2))?.status).toBe('committed')
        expect((await ledger.reserve(request('b', 4n, limits))).reserved).toBe(false)
      }))

    test('windows: committed spend leaves the window, reserved spend never does; retryAt says when it fits', () =>
      withLedger(async (ledger) => {
        const limits: LedgerLimit[] = [{ line: LINE, limit: 10n, windowMs: 1_000 }]
        await ledger.reserve(request('old', 6n, limits))
        await ledger.commit('old', T + 100)
        await ledger.reserve(request('held', 3n, limits, T + 200))
        const refused = await ledger.reserve(request('next', 5n, limits, T + 500))
        expect(refused).toEqual({
          reserved: false,
          exceeded: { line: LINE, limit: 10n, committed: 6n, reserved: 3n, retryAt: T + 1_100 },
        })
        expect((await ledger.reserve(request('later', 5n, limits, T + 1_100))).reserved).toBe(true)
        expect((await ledger.spends({ committedAfter: T + 100 })).map((spend) => spend.id)).toEqual([
          'held',
          'later',
        ])
      }))

    test('lines: a spend counts only on the lines it is charged on, and a limit only binds its line', () =>
      withLedger(async (ledger) => {
        const limits = [
          { line: 'payments', limit: 2n },
          { line: LINE, limit: 100n },
        ]
        const charged = (id: string, value: bigint) => ({
          ...request(id, value, limits),
          spend: {
            ...request(id, value, limits).spend,
            charges: [
              { line: 'payments', value: 1n },
              { line: LINE, value },
            ],
          },
        })
        expect((await ledger.reserve(charged('a', 10n))).reserved).toBe(true)
        expect(
          (await ledger.reserve(request('other-line', 99n, [{ line: 'units:X:18', limit: 99n }]))).reserved,
        ).toBe(true)
        expect((await ledger.reserve(charged('b', 10n))).reserved).toBe(true)
        const refused = await ledger.reserve(charged('c', 10n))
        expect(refused.reserved === false && refused.exceeded.line).toBe('payments')
      }))

    test('holds: a payment held by one request is offered to no other until unheld or lapsed', () =>
      withLedger(async (ledger) => {
        await ledger.append(record('p1', 'authorized'))
        const match = {
          network: 'eip155:31337',
          asset: ASSET.toUpperCase().replace('0X', '0x'),
          payTo: PAY_TO,
          minAmount: 5n,
          now: T,
        }
        const takers = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            ledger.findUnusedAuthorization({ ...match, take: { holder: `h${index}`, until: T + 60_000 } }),
          ),
        )
        const winners = takers.flatMap((found, index) => (found === undefined ? [] : [index]))
        expect(winners.length).toBe(1)
        expect(await ledger.findUnusedAuthorization(match)).toBeUndefined()
        expect(await ledger.hold('p1', { holder: 'someone-else', until: T + 60_000 }, T)).toBe(false)
        await ledger.unhold('p1', 'someone-else')
        expect(await ledger.findUnusedAuthorization(match)).toBeUndefined()
        await ledger.unhold('p1', `h${winners[0]}`)
        expect((await ledger.findUnusedAuthorization(match))?.id).toBe('p1')
        expect(await ledger.hold('p1', { holder: 'short', until: T + 10 }, T)).toBe(true)
        expect(await ledger.findUnusedAuthorization({ ...match, now: T + 5 })).toBeUndefined()
        expect((await ledger.findUnusedAuthorization({ ...match, now: T + 10 }))?.id).toBe('p1')
      }))

    test('holds: a reservation can hold its payment in the same step', () =>
      withLedger(async (ledger) => {
        const limits = [{ line: LINE, limit: 10n }]
        await ledger.reserve({ ...request('p1', 5n, limits), hold: { holder: 'mine', until: T + 60_000 } })
        await ledger.append(record('p1', 'broadcast', { scheme: 'tx', transaction: '0xaa' }))
        const match = {
          scheme: 'tx',
          network: 'eip155:31337',
          asset: ASSET,
          payTo: PAY_TO,
          minAmount: 5n,
          now: T,
        }
        expect(await ledger.findUnusedTransfer(match)).toBeUndefined()
        expect(
          (await ledger.findUnusedTransfer({ ...match, take: { holder: 'mine', until: T + 60_000 } }))?.id,
        ).toBe('p1')
      }))

    test('reuse: a credited, failed or finally rejected payment is never offered', () =>
      withLedger(async (ledger) => {
        const match = {
          scheme: 'tx',
          network: 'eip155:31337',
          asset: ASSET,
          payTo: PAY_TO,
          minAmount: 5n,
          now: T,
        }
        await ledger.append(record('p1', 'broadcast', { scheme: 'tx', transaction: '0x01' }))
        await ledger.append(record('p2', 'broadcast', { scheme: 'tx', transaction: '0x02' }))
        expect((await ledger.findUnusedTransfer(match))?.id).toBe('p2')
        await ledger.append(record('p2', 'rejected', { scheme: 'tx', error: 'payment_already_used' }))
        expect((await ledger.findUnusedTransfer(match))?.id).toBe('p1')
        await ledger.append(record('p1', 'accepted', { scheme: 'tx' }))
        expect(await ledger.findUnusedTransfer(match)).toBeUndefined()
        expect((await ledger.records()).length).toBe(4)
      }))

    test("reuse: with a request, only its own payments (then unkeyed ones) are offered, never another request's", () =>
      withLedger(async (ledger) => {
        const match = {
          scheme: 'tx',
          network: 'eip155:31337',
          asset: ASSET,
          payTo: PAY_TO,
          minAmount: 5n,
          now: T,
        }
        const mine = 'a'.repeat(64)
        const theirs = 'b'.repeat(64)
        await ledger.append(record('p1', 'broadcast', { scheme: 'tx', transaction: '0x01' }))
        await ledger.append(record('p2', 'broadcast', { scheme: 'tx', transaction: '0x02', request: mine }))
        await ledger.append(record('p3', 'broadcast', { scheme: 'tx', transaction: '0x03', request: theirs }))
        await ledger.append(
          record('p4', 'authorized', { request: theirs, paymentIdentifier: 'pay_0123456789abcdef' }),
        )
        expect((await ledger.findUnusedTransfer({ ...match, request: mine }))?.id).toBe('p2')
        expect((await ledger.findUnusedTransfer({ ...match, request: theirs }))?.id).toBe('p3')
        expect((await ledger.findUnusedTransfer(match))?.id).toBe('p3')
        await ledger.append(record('p2', 'accepted', { scheme: 'tx', request: mine }))
        expect((await ledger.findUnusedTransfer({ ...match, request: mine }))?.id).toBe('p1')
        const authorization = { network: 'eip155:31337', asset: ASSET, payTo: PAY_TO, minAmount: 5n, now: T }
        expect(await ledger.findUnusedAuthorization({ ...authorization, request: mine })).toBeUndefined()
        const found = await ledger.findUnusedAuthorization({ ...authorization, request: theirs })
        expect(found?.id).toBe('p4')
        expect(found?.paymentIdentifier).toBe('pay_0123456789abcdef')
      }))

    test('errors: malformed reservations are refused with config_invalid and change nothing', () =>
      withLedger(async (ledger) => {
        const limits = [{ line: LINE, limit: 10n }]
        const bad = { ...request('a', 1n, limits), spend: { ...request('a', 1n, limits).spend, amount: 1 } }
        expect(await codeOf(ledger.reserve(bad as never))).toBe('config_invalid')
        expect(await codeOf(ledger.reserve({ ...request('b', 1n, [{ line: LINE, limit: -1n }]) }))).toBe(
          'config_invalid',
        )
        await ledger.reserve(request('c', 1n, limits))
        expect(await codeOf(ledger.reserve(request('c', 1n, limits)))).toBe('config_invalid')
        expect((await ledger.spends()).map((spend) => spend.id)).toEqual(['c'])
      }))

    if (options.durable !== false)
      test('durability: what was written before a reopen is there after it', async () => {
        const storage = storageOf('durable')
        const first = await options.create(storage)
        const limits = [{ line: LINE, limit: 10n }]
        await first.reserve(request('a', 4n, limits))
        await first.reserve(request('b', 4n, limits))
        await first.commit('a', T + 1)
        await first.append(record('b', 'authorized'))
        await close(first)
        const second = await reopen(storage)
        try {
          expect((await second.spends()).map((spend) => [spend.id, spend.status])).toEqual([
            ['a', 'committed'],
            ['b', 'reserved'],
          ])
          expect((await second.records()).map((entry) => entry.id)).toEqual(['b'])
          expect((await second.reserve(request('c', 3n, limits))).reserved).toBe(false)
        } finally {
          await close(second)
        }
      })

    const spawn = options.spawn
    if (spawn === undefined) return

    if (options.shared) {
      test('processes: 2 processes × 50 concurrent reservations on one budget never pass it', async () => {
        const storage = storageOf('shared')
        const ledger = await options.create(storage)
        try {
          const task = (prefix: string): LedgerWorkerTask => ({
            type: 'reserve-many',
            prefix,
            count: 50,
            line: LINE,
            value: '3',
            limit: '100',
            at: T,
          })
          const workers = [spawn(storage, task('one')), spawn(storage, task('two'))]
          const results = (await Promise.all(workers.map((worker) => worker.firstLine))).map(
            (line) => JSON.parse(line) as { reserved: number },
          )
          await Promise.all(workers.map((worker) => worker.exited))
          expect(results[0]!.reserved + results[1]!.reserved).toBe(33)
          const [usage] = await ledger.usage([{ line: LINE, limit: 100n }], T + 10)
          expect(usage!.committed + usage!.reserved).toBe(99n)
          expect((await ledger.reserve(request('parent', 2n, [{ line: LINE, limit: 100n }]))).reserved).toBe(
            false,
          )
        } finally {
          await close(ledger)
        }
      }, 120_000)
    }

    test('processes: kill -9 mid-payment keeps the reservation and the record', async () => {
      const storage = storageOf('crash')
      let ledger = await options.create(storage)
      const limits = [{ line: LINE, limit: 10n }]
      await ledger.reserve(request('before', 2n, limits))
      if (!options.shared) await close(ledger)
      const worker = spawn(storage, {
        type: 'reserve-and-hang',
        id: 'in-flight',
        line: LINE,
        value: '5',
        limit: '10',
        at: T,
      })
      try {
        expect(JSON.parse(await worker.firstLine)).toEqual({ ready: true })
      } finally {
        worker.kill()
      }
      await worker.exited
      if (!options.shared) ledger = await reopen(storage)
      try {
        expect((await ledger.spends()).map((spend) => [spend.id, spend.status])).toEqual([
          ['before', 'reserved'],
          ['in-flight', 'reserved'],
        ])
        expect((await ledger.records()).map((entry) => [entry.id, entry.type])).toEqual([
          ['in-flight', 'authorized'],
        ])
        expect((await ledger.reserve(request('after', 4n, limits))).reserved).toBe(false)
        expect((await ledger.reserve(request('fits', 3n, limits))).reserved).toBe(true)
      } finally {
        await close(ledger)
      }
    }, 120_000)
  })
}

const ASSET = '0x00000000000000000000000000000000000000aa'
const PAY_TO = '0x00000000000000000000000000000000000000bb'

function request(id: string, value: bigint, limits: LedgerLimit[], at = T): LedgerReserveRequest {
  return {
    spend: {
      id,
      reservedAt: at,
      url: 'https://api.example.com/paid',
      scheme: 'exact',
      network: 'eip155:31337',
      asset: ASSET,
      payTo: PAY_TO,
      amount: value,
      charges: [{ line: limits[0]?.line ?? LINE, value }],
    },
    limits,
  }
}

function record(id: string, type: LedgerRecord['type'], extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    id,
    type,
    at: T,
    url: 'https://api.example.com/paid',
    scheme: 'exact',
    network: 'eip155:31337',
    asset: ASSET,
    payTo: PAY_TO,
    amount: '5',
    ...(type === 'authorized'
      ? { payload: { authorization: { value: '5', validBefore: String(Math.floor(T / 1000) + 3600) } } }
      : {}),
    ...extra,
  }
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: unknown }).code
  }
  return undefined
}
