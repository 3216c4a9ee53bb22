import type { Devnet } from '@tollgate/testkit'
import { type Hex, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createNonceManager } from '../src/evm/create-nonce-manager.js'
import { createJsonRpc } from '../src/rpc/create-json-rpc.js'
import { startDevnet } from './support/devnet-gate.js'

// A send the node refuses for its nonce re-syncs and signs again once. The next send waits for that
// retry: both re-reading the count at once would take the same nonce, and one of them would be
// refused again, which reads as "not settled" although a transaction went out.

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

describe('nonce manager, after a refusal', () => {
  test('behavior: the retry after a stale count and the send queued behind it take different nonces; both land', async () => {
    const account = privateKeyToAccount(devnet.accounts[7]!.privateKey)
    const rpc = createJsonRpc({ url: devnet.rpcUrl })
    const nonces = createNonceManager({ rpc, address: account.address, sendMethod: 'sync' })
    const to = devnet.accounts[8]!.address
    const { chainId } = devnet
    const sign = (nonce: number): Promise<Hex> =>
      account.signTransaction({
        chainId,
        nonce,
        to,
        value: 1n,
        gas: 21_000n,
        maxFeePerGas: parseEther('0.00000002'),
        maxPriorityFeePerGas: 1n,
      })
    // Two transactions already out: a count of 0 is stale, and the first send is refused for it.
    const used = await nonces.send(sign)
    await nonces.send(sign)
    expect(used.nonce).toBe(0)
    nonces.resync()
    nonces.seed('0x0')
    const signed: number[] = []
    const tracked = (nonce: number) => {
      signed.push(nonce)
      return sign(nonce)
    }
    const [first, second] = await Promise.all([nonces.send(tracked), nonces.send(tracked)])
    // The refused nonce 0, then the retry's and the queued send's: never the same one twice.
    expect(signed).toEqual([0, 2, 3])
    expect([first.nonce, second.nonce]).toEqual([2, 3])
    const count = await devnet.publicClient.getTransactionCount({ address: account.address })
    expect(count).toBe(4)
  })
})
