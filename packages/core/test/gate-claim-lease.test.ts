import type { Devnet } from '@tollgate/testkit'
import { type Address, type LocalAccount, parseAbiItem, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { createMemoryStore } from '../src/store/memory-store.js'
import type { Store } from '../src/store/types.js'
import { devnetRegistry, proofHeader, startDevnet, transfer } from './support/devnet-gate.js'
import { exactHeader, signExactPayload } from './support/exact-payment.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

// Claim leases (ARCHITECTURE.md G2, G8): a gate claims a payment on a short lease and renews it
// while it works. Here a lease lapses while its holder is alive (the store's clock jumps past it,
// as an event-loop stall would), a second instance takes the payment over, and the first one
// resumes: money is read from the chain, never from the gate.
const SECRET = 'test-secret-test-secret-test-secret-0014'
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')
let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = privateKeyToAccount(generatePrivateKey()).address
})
afterAll(async () => {
  await devnet?.stop()
})

/** A memory store whose clock the test can move forward. */
function steppedStore(): { store: Store; jump(seconds: number): void } {
  let offsetMs = 0
  const store = createMemoryStore({ now: () => Date.now() + offsetMs })
  return {
    store,
    jump: (seconds) => {
      offsetMs += seconds * 1000
    },
  }
}

/** Resolves when `release` is called: a handler that stalls until the test lets it go. */
function gateOpen(): { wait: Promise<void>; release(): void } {
  let release = () => {}
  const wait = new Promise<void>((resolve) => {
    release = resolve
  })
  return { wait, release }
}

/** A memory store that counts each key's successful renewals; `renewed(n)` waits until a key had `n`. */
function countingStore(): { store: Store; renewed(count: number): Promise<void> } {
  const inner = createMemoryStore()
  const renewals = new Map<string, number>()
  let most = 0
  const waiting: { count: number; resolve: () => void }[] = []
  const store: Store = {
    ...inner,
    async renew(key, token, ttlSeconds) {
      const renewed = await inner.renew!(key, token, ttlSeconds)
      if (renewed) {
        const count = (renewals.get(key) ?? 0) + 1
        renewals.set(key, count)
        most = Math.max(most, count)
      }
      for (const waiter of waiting.filter((entry) => entry.count <= most)) waiter.resolve()
      return renewed
    },
  }
  return {
    store,
    renewed: (count) =>
      count <= most ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve })),
  }
}

async function startGate(
  store: Store,
  options: { settler?: LocalAccount; before?: (run: number) => Promise<void>; leaseSeconds?: number } = {},
) {
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/item': { price: '$0.01', description: 'Item' } },
    payTo,
    store,
    claimLeaseSeconds: options.leaseSeconds ?? 10,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        ...(options.settler === undefined
          ? {}
          : { exact: { settler: options.settler, sendMethod: 'async', receiptPollingMs: 10 } }),
      }),
    ],
    secret: SECRET,
    registry: devnetRegistry(devnet),
  })
  let runs = 0
  const server = await serve((request) =>
    gate.handle(request, async () => {
      runs++
      await options.before?.(runs)
      return Response.json({ run: runs })
    }),
  )
  const get = (header?: string) =>
    fetch(`${server.origin}/api/item`, {
      headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
    })
  return { get, runs: () => runs, close: () => server.close() }
}

async function offerOf(response: Response, scheme: 'exact' | 'tx'): Promise<PaymentRequirements> {
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  return required.accepts.find(
    (entry) =>
      entry.scheme === scheme && entry.asset.toLowerCase() === devnet.tokens.usdc.address.toLowerCase(),
  )!
}

async function transfersFrom(payer: Address): Promise<bigint[]> {
  const logs = await devnet.publicClient.getLogs({
    address: devnet.tokens.usdc.address,
    event: transferEvent,
    args: { from: payer, to: payTo },
    fromBlock: 0n,
  })
  return logs.map((log) => log.args.value as bigint)
}

async function funded(): Promise<{ settler: LocalAccount; payer: LocalAccount }> {
  const settler = privateKeyToAccount(generatePrivateKey())
  const payer = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: settler.address, value: parseEther('10') })
  await devnet.testClient.setBalance({ address: payer.address, value: parseEther('1') })
  await devnet.mint('usdc', payer.address, 1_000_000n)
  return { settler, payer }
}

describe('gate: claim leases', () => {
  test('behavior: exact, the lease lapses while the handler stalls -> another instance sells it; the first broadcasts nothing and answers 409', async () => {
    const { settler, payer } = await funded()
    const other = privateKeyToAccount(generatePrivateKey())
    await devnet.testClient.setBalance({ address: other.address, value: parseEther('10') })
    const { store, jump } = steppedStore()
    const stalled = gateOpen()
    const entered = gateOpen()
    const first = await startGate(store, {
      settler,
      before: async () => {
        entered.release()
        await stalled.wait
      },
    })
    const second = await startGate(store, { settler: other })
    try {
      const accepted = await offerOf(await first.get(), 'exact')
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      const firstAnswer = first.get(header)
      await entered.wait
      // While the lease holds, the payment is in flight everywhere.
      expect((await second.get(header)).status).toBe(409)
      jump(11)
      // Lapsed: the other instance verifies afresh, serves and settles.
      const served = await second.get(header)
      expect(served.status).toBe(200)
      expect(second.runs()).toBe(1)
      stalled.release()
      // The first holder finds its claim gone when it records the settlement, before any broadcast.
      const late = await firstAnswer
      expect(late.status).toBe(409)
      expect(await late.json()).toMatchObject({ error: 'payment_in_progress' })
      expect(await transfersFrom(payer.address)).toEqual([10_000n])
      expect(await devnet.publicClient.getTransactionCount({ address: settler.address })).toBe(0)
      expect(await devnet.publicClient.getTransactionCount({ address: other.address })).toBe(1)
      // The retry of the same proof gets the sold answer again, nothing run or charged.
      const replayed = await first.get(header)
      expect(replayed.status).toBe(200)
      expect(replayed.headers.get('payment-replay')).toBe('true')
      expect(await replayed.json()).toEqual({ run: 1 })
      expect(first.runs() + second.runs()).toBe(2)
      expect(await transfersFrom(payer.address)).toEqual([10_000n])
    } finally {
      stalled.release()
      await Promise.all([first.close(), second.close()])
    }
  })

  test('behavior: a holder that works longer than its lease keeps renewing it: the payment stays in flight', async () => {
    const payer = devnet.accounts[4]!.address
    const { store, renewed } = countingStore()
    const stalled = gateOpen()
    const entered = gateOpen()
    const gate = await startGate(store, {
      leaseSeconds: 1,
      before: async () => {
        entered.release()
        await stalled.wait
      },
    })
    try {
      const accepted = await offerOf(await gate.get(), 'tx')
      const { hash } = await transfer(devnet, {
        from: 4,
        to: accepted.payTo as Address,
        amount: BigInt(accepted.amount),
      })
      const header = await proofHeader(devnet, { signer: 4, requirements: accepted, hash })
      const first = gate.get(header)
      await entered.wait
      // Three renewals of one claim (a third of the lease apart) span the whole 1 s lease it was claimed with.
      await renewed(3)
      expect((await gate.get(header)).status).toBe(409)
      stalled.release()
      expect((await first).status).toBe(200)
      expect(gate.runs()).toBe(1)
      expect(await transfersFrom(payer)).toEqual([BigInt(accepted.amount)])
    } finally {
      stalled.release()
      await gate.close()
    }
  })

  test('behavior: tx, the lease lapses while the handler stalls -> the retry is served too, the payer charged once', async () => {
    const payer = devnet.accounts[3]!.address
    const { store, jump } = steppedStore()
    const stalled = gateOpen()
    const entered = gateOpen()
    const gate = await startGate(store, {
      before: async (run) => {
        if (run > 1) return
        entered.release()
        await stalled.wait
      },
    })
    try {
      const accepted = await offerOf(await gate.get(), 'tx')
      const { hash } = await transfer(devnet, {
        from: 3,
        to: accepted.payTo as Address,
        amount: BigInt(accepted.amount),
      })
      const header = await proofHeader(devnet, { signer: 3, requirements: accepted, hash })
      const firstAnswer = gate.get(header)
      await entered.wait
      expect((await gate.get(header)).status).toBe(409)
      jump(11)
      // Lapsed in the handler: a retry is admitted again (the payer's money moved once, on chain).
      const retried = await gate.get(header)
      expect(retried.status).toBe(200)
      stalled.release()
      expect((await firstAnswer).status).toBe(200)
      // Both answers went to the payer who paid once; the payment is spent now: a retry is replayed.
      const again = await gate.get(header)
      expect(again.status).toBe(200)
      expect(again.headers.get('payment-replay')).toBe('true')
      expect(gate.runs()).toBe(2)
      expect(await transfersFrom(payer)).toEqual([BigInt(accepted.amount)])
    } finally {
      stalled.release()
      await gate.close()
    }
  })
})
