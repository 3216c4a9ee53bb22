import { join } from 'node:path'
import type { Client } from '@tollgate/core'
import { createFileLedger, type FileLedger } from '@tollgate/core/node'
import { type Address, type Hex, keccak256, parseAbiItem, parseTransaction } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisSkipReason } from '../../../packages/redis/test/redis-server.js'
import type { RpcCall } from '../../attack/src/start-rpc-proxy.js'
import type { Payer } from '../../attack/src/start-world.js'
import { isSend } from '../src/arm-fault.js'
import { openFaultClient, spentUsdc } from '../src/open-fault-client.js'
import { type FaultWorld, startFaultWorld } from '../src/start-fault-world.js'

// Settlements of different payers that are ready together share one Multicall3 transaction
// (`evm/create-settlement-batcher.ts`). Two payers buy at once; both settlements are held at their
// settle-time simulation until both are there, so they go out together; the shared send is held,
// and the gate is killed with SIGKILL. The node then gets the send (`sent`) or never does
// (`unsent`: the restarted gate sends the recorded transaction again). Each payer must be served
// once and pay once, both in that one transaction. Money is read from the chain.

const MULTICALL3: Address = '0xcA11bde05977b3631167028862bE2a173976CA11'
const PRICE = 1_000n
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

let faults: FaultWorld | undefined
const skipReason = redisSkipReason()

beforeAll(async () => {
  if (skipReason === undefined) faults = await startFaultWorld()
})
afterAll(async () => {
  await faults?.stop()
})

// The settle-time simulation: the one `eth_call` sent alone (verification batches its calls).
const isSettleSimulation = (call: RpcCall, batch: readonly RpcCall[]) =>
  call.method === 'eth_call' && batch.length === 1

type Buyer = { id: string; payer: Payer; client: Client; ledger: FileLedger }

async function buyer(faults: FaultWorld, id: string): Promise<Buyer> {
  const { world, directory } = faults
  const payer = await world.newPayer(1_000_000n)
  const ledger = createFileLedger({ path: join(directory, `${id}.jsonl`) })
  // The payers read the chain directly: only the gates' calls pass the proxy.
  const client = openFaultClient(world, payer, ledger, { scheme: 'exact', rpcUrl: world.devnet.rpcUrl })
  return { id, payer, client, ledger }
}

describe.skipIf(skipReason !== undefined)('a shared settlement transaction and kill -9', () => {
  for (const variant of ['sent', 'unsent'] as const) {
    test(`behavior: two payers settled in one transaction, the gate killed while it is held (${variant}) -> each served once, each paid once, in that transaction`, async () => {
      const { world, front } = faults as FaultWorld
      const buyers = [
        await buyer(faults as FaultWorld, `shared-${variant}-a`),
        await buyer(faults as FaultWorld, `shared-${variant}-b`),
      ]
      const simulations = world.proxy.add(isSettleSimulation, { kind: 'hold' }, { times: 2 })
      const sent: Hex[] = []
      const send = world.proxy.add(
        (call) => {
          if (!isSend(call)) return false
          sent.push(call.params?.[0] as Hex)
          return true
        },
        { kind: 'hold' },
        { times: 1 },
      )
      const dropped =
        variant === 'unsent' ? world.proxy.add(isSend, { kind: 'drop' }, { times: 1 }) : undefined
      try {
        const bought = buyers.map(({ client, id }) =>
          client.fetch(`${front.url}/api/item`, { headers: { 'x-fault-run': id } }),
        )
        // Both settlements are being prepared: let them go together.
        await simulations.waitForHits(2)
        simulations.release()
        await send.waitForHits(1)
        const raw = sent[0] as Hex
        // One transaction for both: Multicall3's aggregate3.
        expect(parseTransaction(raw).to?.toLowerCase()).toBe(MULTICALL3.toLowerCase())
        front.pause()
        await world.merchants[0].kill()
        // The node gets the held send only now, from a gate that is gone (unsent: never).
        send.release()
        await world.restart(0)
        front.route(world.merchants[0].port)
        front.resume()
        const responses = await Promise.all(bought)
        for (const [index, response] of responses.entries()) {
          expect(response.status).toBe(200)
          expect(await response.json()).toMatchObject({ route: 'item', run: buyers[index]?.id })
        }
        if (dropped !== undefined) expect(dropped.hits).toBe(1)
        await (faults as FaultWorld).settle()
        const hash = keccak256(raw)
        for (const { id, payer, client } of buyers) {
          const logs = await world.devnet.publicClient.getLogs({
            address: world.usdc,
            event: transferEvent,
            args: { from: payer.address, to: world.payTo },
            fromBlock: 0n,
          })
          // Paid once, by the shared transaction held before the kill.
          expect([id, logs.map((log) => [log.transactionHash, log.args.value])]).toEqual([
            id,
            [[hash, PRICE]],
          ])
          expect([id, world.handlerRuns(id)]).toEqual([id, 1])
          const spent = await spentUsdc(client, world.usdc)
          expect([id, spent, (await client.reserved()).payments]).toEqual([id, PRICE, 0])
        }
      } finally {
        simulations.remove()
        send.remove()
        dropped?.remove()
        front.route(world.merchants[0].port)
        front.resume()
        for (const { ledger } of buyers) await ledger.close()
      }
    }, 120_000)
  }
})
