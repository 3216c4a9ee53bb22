import {
  assertHold,
  assertReserveRequest,
  createLedgerIndex,
  encodeLedgerRecord,
  encodeLedgerSpend,
  type Ledger,
  type LedgerHold,
  type LedgerRecord,
  type LedgerSpend,
  measureUsage,
  parseLedgerRecord,
  parseLedgerSpend,
  TollgateError,
} from '@tollgate/core'
import { createClient } from 'redis'
import type { RedisStoreClient } from './create-redis-store.js'
import { reserveScript, settleScript, spendsScript, takeScript, unholdScript } from './ledger-scripts.js'
import type { RedisScript } from './redis-script.js'

/** Options of {@link createRedisLedger}. Give `client` or `url`. */
export type CreateRedisLedgerOptions = {
  /** A node-redis client to use; connected when not open yet, never closed by the ledger. Default: one made from `url`. */
  client?: RedisStoreClient
  /** `redis[s]://…`, used when `client` is not given. */
  url?: string
  /**
   * Prepended to every key: one prefix is one budget. Keep a `{hash tag}` in it on Redis Cluster,
   * so every key of one ledger lives in one slot. Default `"tollgate:{ledger}:"`.
   */
  prefix?: string
  /** Clock in unix milliseconds, for holds and commits given no time. Default `Date.now`. */
  now?: () => number
}

/** A {@link Ledger} on Redis, shared by every process and machine that uses the same prefix. */
export type RedisLedger = Ledger & {
  /** Closes the client the ledger created from `url` (a caller's `client` stays open). */
  close(): Promise<void>
}

/**
 * Creates a ledger on Redis whose budget and payments in flight a fleet of agents shares across
 * machines. Every reservation, commit, release and hold is one atomic Lua script (sums of any
 * size are kept as decimal strings), so concurrent reservations from any number of processes
 * never pass a limit together. Durability is Redis's: run it with `appendonly yes` and
 * `appendfsync always` for a budget that survives a Redis crash.
 *
 * @example
 * import { createRedisLedger } from '@tollgate/redis'
 * const ledger = createRedisLedger({ url: process.env.REDIS_URL, prefix: 'agents:{team-a}:' })
 * const client = createClient({ wallets, policy: { budget: '$100', window: { seconds: 86_400 } }, ledger })
 * @throws {TollgateError} `config_invalid` without `client` or `url`. Methods reject with
 * `ledger_unavailable` when Redis fails, and `config_invalid` for an invalid record, hold or reservation.
 */
export function createRedisLedger(options: CreateRedisLedgerOptions): RedisLedger {
  const prefix = options.prefix ?? 'tollgate:{ledger}:'
  const clock = options.now ?? Date.now
  if (options.client === undefined && typeof options.url !== 'string') {
    throw new TollgateError('config_invalid', 'createRedisLedger needs a `client` or a `url`.')
  }
  const owned = options.client === undefined
  const client: RedisStoreClient = options.client ?? createOwnClient(options.url as string)
  const connected = client.isOpen ? Promise.resolve() : client.connect().then(() => undefined)
  connected.catch(() => undefined)

  const evaluate = async (script: RedisScript, args: readonly string[]): Promise<unknown> => {
    await connected
    try {
      return await client.sendCommand(['EVALSHA', script.sha, '1', prefix, ...args])
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error
      return await client.sendCommand(['EVAL', script.source, '1', prefix, ...args])
    }
  }
  const command = async (args: string[]): Promise<unknown> => {
    await connected
    return client.sendCommand(args)
  }
  const run = async <T>(operation: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body()
    } catch (error) {
      if (TollgateError.is(error)) throw error
      throw new TollgateError('ledger_unavailable', `The Redis ledger could not complete "${operation}".`, {
        cause: error,
      })
    }
  }
  const records = async (): Promise<LedgerRecord[]> => {
    const lines = (await command(['LRANGE', `${prefix}records`, '0', '-1'])) as string[]
    return lines.map((line) => parseLedgerRecord(JSON.parse(line)))
  }
  const take = async (candidates: LedgerRecord[], hold: LedgerHold | undefined, now: number) => {
    if (candidates.length === 0) return undefined
    const id = (await evaluate(takeScript, [
      hold?.holder ?? '',
      String(hold?.until ?? 0),
      String(now),
      ...candidates.map((record) => record.id),
    ])) as string | null
    return candidates.find((record) => record.id === id)
  }
  const spends = async (): Promise<LedgerSpend[]> => {
    const flat = (await evaluate(spendsScript, [])) as (string | null)[]
    const result: LedgerSpend[] = []
    for (let index = 0; index < flat.length; index += 3) {
      const stored = parseLedgerSpend(JSON.parse(flat[index] as string))
      const status = flat[index + 1] as LedgerSpend['status']
      const settledAt = flat[index + 2] ? Number(flat[index + 2]) : undefined
      result.push(withState(stored, status, settledAt))
    }
    return result.sort((left, right) => left.reservedAt - right.reservedAt)
  }
  const settle = (id: string, next: 'committed' | 'released', at: number) =>
    run(next === 'committed' ? 'commit' : 'release', async () => {
      const reply = (await evaluate(settleScript, [id, String(at), next])) as [string, string] | null
      if (reply === null) return undefined
      return withState(parseLedgerSpend(JSON.parse(reply[0])), next, at)
    })

  return {
    append: (record) =>
      run('append', async () => {
        const { line } = encodeLedgerRecord(record)
        await command(['RPUSH', `${prefix}records`, line])
      }),
    records: () => run('records', records),
    findUnusedTransfer: (match) =>
      run('findUnusedTransfer', async () => {
        const index = indexOf(await records())
        return take(index.transferCandidates(match), match.take, match.now ?? clock())
      }),
    findUnusedAuthorization: (match) =>
      run('findUnusedAuthorization', async () => {
        const index = indexOf(await records())
        return take(index.authorizationCandidates(match), match.take, match.now)
      }),
    hold: (id, hold, now) =>
      run('hold', async () => {
        assertHold(id, hold)
        const reply = await evaluate(takeScript, [
          hold.holder,
          String(hold.until),
          String(now ?? clock()),
          id,
        ])
        return reply === id
      }),
    unhold: (id, holder) =>
      run('unhold', async () => {
        await evaluate(unholdScript, [id, holder])
      }),
    reserve: (request) =>
      run('reserve', async () => {
        assertReserveRequest(request)
        const { spend } = request
        const stored: LedgerSpend = { ...spend, status: 'reserved' }
        const args = [
          spend.id,
          String(spend.reservedAt),
          JSON.stringify(encodeLedgerSpend(stored)),
          String(request.limits.length),
          ...request.limits.flatMap((limit) => [
            limit.line,
            limit.limit.toString(),
            limit.windowMs === undefined ? '' : String(limit.windowMs),
          ]),
          String(spend.charges.length),
          ...spend.charges.flatMap((charge) => [charge.line, charge.value.toString()]),
          request.hold?.holder ?? '',
          String(request.hold?.until ?? 0),
        ]
        const reply = (await evaluate(reserveScript, args)) as string[]
        if (reply[0] === 'exists') {
          throw new TollgateError('config_invalid', `Ledger spend ${spend.id} is already reserved.`)
        }
        if (reply[0] === 'ok') return { reserved: true as const, spend: stored }
        const [, line, limit, committed, reserved, retryAt] = reply as string[]
        return {
          reserved: false as const,
          exceeded: {
            line: line as string,
            limit: BigInt(limit as string),
            committed: BigInt(committed as string),
            reserved: BigInt(reserved as string),
            ...(retryAt ? { retryAt: Number(retryAt) } : {}),
          },
        }
      }),
    commit: (id, at) => settle(id, 'committed', at ?? clock()),
    release: (id, at) => settle(id, 'released', at ?? clock()),
    usage: (limits, now) =>
      run('usage', async () => {
        const all = await spends()
        return limits.map((limit) => measureUsage(all, limit, now))
      }),
    spends: (query = {}) =>
      run('spends', async () =>
        (await spends()).filter(
          (spend) =>
            spend.status === 'reserved' ||
            (spend.status === 'committed' &&
              (query.committedAfter === undefined || (spend.settledAt ?? 0) > query.committedAfter)),
        ),
      ),
    async close() {
      if (!owned || !client.isOpen) return
      const ownClient = client as ReturnType<typeof createClient>
      await ownClient.close().catch(() => ownClient.destroy())
    },
  }
}

function withState(
  spend: LedgerSpend,
  status: LedgerSpend['status'],
  settledAt: number | undefined,
): LedgerSpend {
  const { settledAt: _ignored, ...rest } = spend
  return { ...rest, status, ...(settledAt === undefined ? {} : { settledAt }) }
}

function indexOf(records: readonly LedgerRecord[]) {
  const index = createLedgerIndex()
  for (const record of records) index.add(record)
  return index
}

function createOwnClient(url: string): RedisStoreClient {
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000) },
  })
  // Without a listener, a connection error would be thrown as an uncaught 'error' event.
  client.on('error', () => {})
  return client
}
