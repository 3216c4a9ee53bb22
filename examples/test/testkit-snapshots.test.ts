import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { Hex } from 'viem'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'

let devnet: Devnet
let snapshot: Hex
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(() => devnet.stop())
beforeEach(async () => {
  snapshot = await devnet.snapshot()
})
afterEach(() => devnet.revert(snapshot))

test('a mint is undone after the test', async () => {
  await devnet.mint('usdc', devnet.accounts[1]!.address, 5n)
  expect(await devnet.publicClient.getBlockNumber()).toBeGreaterThan(0n)
})
