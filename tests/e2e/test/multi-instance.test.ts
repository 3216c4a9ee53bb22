import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
// The Redis package's own harness, imported by path: one copy of how tests run redis-server.
import {
  type RedisServer,
  redisSkipReason,
  startRedisServer,
} from '../../../packages/redis/test/redis-server.js'
import { SECRET } from '../src/fixtures.js'
import { payWithTxProof } from '../src/pay-with-tx-proof.js'
import {
  type GateProcess,
  type StartGateProcessOptions,
  startGateProcess,
} from '../src/start-gate-process.js'

// Real processes, a real redis-server and a real anvil: what ARCHITECTURE.md G2 and G4 promise
// across instances and crashes, and invariant 1 when the store goes away.

let devnet: Devnet
const running: GateProcess[] = []
const servers: RedisServer[] = []
const directories: string[] = []
const skipRedis = redisSkipReason()

// Starting a gate process takes seconds (tsx, viem, node-redis): every first instance starts at once.
let sqliteFile: string
let sqliteVictim: GateProcess
let shared: RedisServer
let dedicated: RedisServer
let pair: [GateProcess, GateProcess]
let redisVictim: GateProcess
let outageTarget: GateProcess

beforeAll(async () => {
  devnet = await startDevnet()
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-e2e-sqlite-'))
  directories.push(directory)
  sqliteFile = join(directory, 'tollgate.db')
  const startRedisGates = async () => {
    ;[shared, dedicated] = await Promise.all([redis(), redis()])
    const onShared = { kind: 'redis', url: shared.url } as const
    // These tests are about claims shared across processes, not timeouts: 200 requests at once on
    // a busy machine can hold Redis or a gate past the store's 1 s default, which answers 503
    // (right, but not what they count). The outage test keeps the default, on its own Redis.
    const patient = { storeTimeoutMs: 10_000 }
    const gates = await Promise.all([
      gate(onShared, patient),
      gate(onShared, patient),
      gate(onShared, patient),
      gate({ kind: 'redis', url: dedicated.url }),
    ])
    pair = [gates[0], gates[1]]
    redisVictim = gates[2]
    outageTarget = gates[3]
  }
  const [victim] = await Promise.all([
    gate({ kind: 'sqlite', path: sqliteFile }),
    skipRedis === undefined ? startRedisGates() : undefined,
  ])
  sqliteVictim = victim
})
afterAll(async () => {
  await Promise.all(running.splice(0).map((gate) => gate.kill()))
  await Promise.all(servers.splice(0).map((server) => server.kill()))
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
  await devnet?.stop()
})

async function gate(
  store: StartGateProcessOptions['store'],
  options: Pick<StartGateProcessOptions, 'storeTimeoutMs'> = {},
): Promise<GateProcess> {
  const started = await startGateProcess({
    ...options,
    store,
    rpcUrl: devnet.rpcUrl,
    asset: devnet.tokens.usdc.address,
    payTo: devnet.accounts[9]!.address,
    secret: SECRET,
  })
  running.push(started)
  return started
}

async function redis(options: { port?: number } = {}): Promise<RedisServer> {
  const server = await startRedisServer(options)
  servers.push(server)
  return server
}

/** Pays `count` times for real (accounts 1 to 8 in parallel), each a fresh proof for `/api/search`. */
async function freshProofs(target: GateProcess, count: number): Promise<string[]> {
  const proofs: string[] = new Array(count)
  const payers = [1, 2, 3, 4, 5, 6, 7, 8]
  await Promise.all(
    payers.map(async (from, lane) => {
      for (let index = lane; index < count; index += payers.length) {
        proofs[index] = await payWithTxProof(devnet, { url: `${target.url}/api/search`, from })
      }
    }),
  )
  return proofs
}

type Outcome = { status: number; code: string | undefined; retryAfter: string | null; replay: boolean }

/** A paid search on `target`, reduced to status, error code and Retry-After. */
async function search(target: GateProcess, proof: string, query = 'replay'): Promise<Outcome> {
  const response = await fetch(`${target.url}/api/search?q=${query}`, {
    headers: { 'PAYMENT-SIGNATURE': proof },
  })
  const body = (await response.json()) as { error?: string }
  return {
    status: response.status,
    code: body.error,
    retryAfter: response.headers.get('retry-after'),
    replay: response.headers.get('payment-replay') === 'true',
  }
}

/**
 * Waits until `target` replays the proof's kept response: the gate turns its claim from in flight
 * to spent when the head goes out and keeps the body once the response finished, both of which
 * may trail the client reading it (bounded: 200 tries).
 */
async function spent(target: GateProcess, proof: string): Promise<void> {
  let outcome = await search(target, proof)
  for (let tries = 0; tries < 200 && !outcome.replay && outcome.status !== 200; tries++)
    outcome = await search(target, proof)
  expect(outcome).toMatchObject({ status: 200, replay: true })
}

function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const { status, code, replay } of outcomes) {
    const key = replay ? `${status} replay` : code === undefined ? String(status) : `${status} ${code}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

describe.skipIf(skipRedis !== undefined)('several gate processes on one Redis', () => {
  test('default: 200 concurrent replays of one proof across two instances -> exactly one 200', async () => {
    const [first, second] = pair
    const [proof] = await freshProofs(first, 1)
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        search(index % 2 === 0 ? first : second, proof!, String(index)),
      ),
    )
    // One sale; every other request is told the proof is in flight (409), already spent (402), or
    // gets the sale's kept response again (a replay: nothing run, nothing charged).
    const counts = tally(outcomes)
    // Every outcome by status and code, in the failure message: an answer of another kind is named.
    const seen = JSON.stringify(counts)
    expect(counts['200'], seen).toBe(1)
    expect(
      (counts['409 payment_in_progress'] ?? 0) +
        (counts['402 payment_already_used'] ?? 0) +
        (counts['200 replay'] ?? 0),
      seen,
    ).toBe(199)
    // Both instances refused the proof: the claims are shared, not per process.
    for (const parity of [0, 1]) {
      const refused = outcomes.filter(
        (outcome, index) => index % 2 === parity && (outcome.status !== 200 || outcome.replay),
      )
      expect(refused.length).toBeGreaterThanOrEqual(99)
    }
  })

  test('behavior: kill -9 an instance after it accepted a proof; a new process on the same Redis replays it, never sells it again', async () => {
    const [proof] = await freshProofs(redisVictim, 1)
    expect(await search(redisVictim, proof!)).toMatchObject({ status: 200 })
    await spent(redisVictim, proof!)
    await redisVictim.kill()
    const successor = await gate({ kind: 'redis', url: shared.url })
    // The new process answers the same: the kept response, replayed, never a second sale.
    expect(await search(successor, proof!)).toMatchObject({ status: 200, replay: true })
  })

  test('error: Redis killed mid-run -> 503 store_unavailable with Retry-After, never a 200; a fresh proof passes once it is back', async () => {
    const target = outageTarget
    const proofs = await freshProofs(target, 24)
    const take = (count: number) => proofs.splice(0, count)
    expect(await search(target, take(1)[0]!)).toMatchObject({ status: 200 })

    // Redis dies once the first of ten concurrent requests was answered, the others still in flight:
    // each of them is served (claimed before the crash) or refused, never anything else.
    const inFlight = take(10).map((proof) => search(target, proof))
    await Promise.race(inFlight)
    await dedicated.kill()
    // Every request sent after the crash, at once and while the store reconnects, is refused.
    const refusedProofs = take(10)
    const afterKill = await Promise.all(refusedProofs.map((proof) => search(target, proof)))
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    const whileReconnecting = await Promise.all(take(2).map((proof) => search(target, proof)))
    for (const outcome of [...afterKill, ...whileReconnecting]) {
      expect(outcome).toMatchObject({ status: 503, code: 'store_unavailable', retryAfter: '1' })
    }
    const inFlightOutcomes = await Promise.all(inFlight)
    for (const outcome of inFlightOutcomes) {
      expect([200, 503]).toContain(outcome.status)
      if (outcome.status === 503)
        expect(outcome).toMatchObject({ code: 'store_unavailable', retryAfter: '1' })
    }
    expect(inFlightOutcomes.filter((outcome) => outcome.status === 200).length).toBeGreaterThanOrEqual(1)

    // Redis is back on the same port: the gate reconnects by itself and takes a fresh proof.
    await redis({ port: dedicated.port })
    const [fresh] = take(1)
    const deadline = Date.now() + 10_000
    let outcome = await search(target, fresh!)
    while (outcome.status === 503 && Date.now() < deadline) {
      expect(outcome.code).toBe('store_unavailable')
      await new Promise((resolve) => setTimeout(resolve, 100))
      outcome = await search(target, fresh!)
    }
    expect(outcome).toMatchObject({ status: 200 })
    // A proof refused during the outage was not spent by the refusal: the payer can retry it.
    expect(await search(target, refusedProofs[0]!)).toMatchObject({ status: 200 })
  })
})

describe('a gate process on a SQLite file', () => {
  test('behavior: kill -9 after it accepted a proof, restart on the same file -> the proof is replayed, never sold again', async () => {
    const [proof, fresh] = await freshProofs(sqliteVictim, 2)
    expect(await search(sqliteVictim, proof!)).toMatchObject({ status: 200 })
    await spent(sqliteVictim, proof!)
    await sqliteVictim.kill()
    const successor = await gate({ kind: 'sqlite', path: sqliteFile })
    expect(await search(successor, proof!)).toMatchObject({ status: 200, replay: true })
    // The restarted store works: it still takes a proof it has not seen.
    expect(await search(successor, fresh!)).toMatchObject({ status: 200 })
  })
})
