import { createConnection } from 'node:net'
import { join } from 'node:path'
import { createFileLedger } from '@tollgate/core/node'
import { type Hex, keccak256, parseAbiItem } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisSkipReason } from '../../../packages/redis/test/redis-server.js'
import { isSend } from '../src/arm-fault.js'
import { openFaultClient, spentUsdc } from '../src/open-fault-client.js'
import { type FaultWorld, startFaultWorld } from '../src/start-fault-world.js'

// The gate records an `exact` settlement in its store before the transaction leaves the process
// (ARCHITECTURE.md G8). Read from the real Redis while the settlement's send is held, then the
// gate is killed with SIGKILL and the held send dropped: the node never gets it. The restarted
// gate answers the retry by sending the recorded transaction itself. Money is read from the chain.

let faults: FaultWorld | undefined
const skipReason = redisSkipReason()
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

beforeAll(async () => {
  if (skipReason === undefined) faults = await startFaultWorld()
})
afterAll(async () => {
  await faults?.stop()
})

describe.skipIf(skipReason !== undefined)('exact settlement record', () => {
  test('behavior: recorded before the send; gate killed with the send unsent -> the retry sends the same transaction, delivered once, paid once', async () => {
    const { world, front, directory } = faults as FaultWorld
    const payer = await world.newPayer(1_000_000n)
    const ledger = createFileLedger({ path: join(directory, 'record.jsonl') })
    const client = openFaultClient(world, payer, ledger, { scheme: 'exact', rpcUrl: world.proxy.url })
    const sent: Hex[] = []
    const held = world.proxy.add(
      (call) => {
        if (!isSend(call)) return false
        sent.push(call.params?.[0] as Hex)
        return true
      },
      { kind: 'hold' },
      { times: 1 },
    )
    const dropped = world.proxy.add(isSend, { kind: 'drop' }, { times: 1 })
    try {
      const bought = client.fetch(`${front.url}/api/item`, { headers: { 'x-fault-run': 'record-unsent' } })
      await held.waitForHits(1)
      const raw = sent[0] as Hex
      const hash = keccak256(raw)
      // The money cannot have moved yet, and the store already names the transaction and its bytes.
      const records = await redisValues(world.redis.url, 'tollgate:exact:*:settlement:*')
      expect(records.filter((value) => value.includes(hash) && value.includes(raw.slice(2)))).toHaveLength(1)
      front.pause()
      await world.merchants[0].kill()
      held.release()
      await world.restart(0)
      front.route(world.merchants[0].port)
      front.resume()
      const response = await bought
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ route: 'item', run: 'record-unsent' })
      expect(dropped.hits).toBe(1)
      const logs = await world.devnet.publicClient.getLogs({
        address: world.usdc,
        event: transferEvent,
        args: { from: payer.address, to: world.payTo },
        fromBlock: 0n,
      })
      // One transfer, carried by the very transaction recorded before the kill.
      expect(logs.map((log) => [log.transactionHash, log.args.value])).toEqual([[hash, 1_000n]])
      // The handler ran once, before the kill; the retry got its kept answer.
      await (faults as FaultWorld).settle()
      expect(world.handlerRuns('record-unsent')).toBe(1)
      expect(await spentUsdc(client, world.usdc)).toBe(1_000n)
      expect((await client.reserved()).payments).toBe(0)
    } finally {
      held.remove()
      dropped.remove()
      front.route(world.merchants[0].port)
      front.resume()
      await ledger.close()
    }
  }, 120_000)
})

/** The values of the Redis keys matching `pattern`, over a raw RESP connection. */
async function redisValues(url: string, pattern: string): Promise<string[]> {
  const keys = (await redisCommand(url, ['KEYS', pattern])) as string[]
  return Promise.all(keys.map(async (key) => String(await redisCommand(url, ['GET', key]))))
}

function redisCommand(url: string, args: readonly string[]): Promise<unknown> {
  const { hostname, port } = new URL(url)
  const request = `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) })
    let buffer = Buffer.alloc(0)
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      const parsed = parseResp(buffer, 0)
      if (parsed === undefined) return
      socket.end()
      resolve(parsed.value)
    })
    socket.write(request)
  })
}

/** One RESP2 reply from `offset`, or undefined while incomplete. */
function parseResp(buffer: Buffer, offset: number): { value: unknown; next: number } | undefined {
  const end = buffer.indexOf('\r\n', offset)
  if (end === -1) return undefined
  const type = String.fromCharCode(buffer[offset] as number)
  const line = buffer.toString('utf8', offset + 1, end)
  if (type === '+' || type === ':') return { value: line, next: end + 2 }
  if (type === '-') throw new Error(`Redis: ${line}`)
  if (type === '$') {
    const length = Number(line)
    if (length < 0) return { value: null, next: end + 2 }
    if (buffer.length < end + 2 + length + 2) return undefined
    return { value: buffer.toString('utf8', end + 2, end + 2 + length), next: end + 2 + length + 2 }
  }
  const items: unknown[] = []
  let next = end + 2
  for (let index = 0; index < Number(line); index++) {
    const item = parseResp(buffer, next)
    if (item === undefined) return undefined
    items.push(item.value)
    next = item.next
  }
  return { value: items, next }
}
