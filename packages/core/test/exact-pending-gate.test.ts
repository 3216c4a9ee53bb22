import type { Devnet } from '@tollgate/testkit'
import { type Address, type Hex, type LocalAccount, parseAbiItem, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { EvmExactSchemeSettings } from '../src/evm/create-evm-exact-scheme.js'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import { decodePaymentReceipt } from '../src/mpp/decode-payment-receipt.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { createMemoryStore } from '../src/store/memory-store.js'
import type { Store } from '../src/store/types.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { exactHeader, signExactPayload } from './support/exact-payment.js'
import { challengesOf, payChallenge } from './support/mpp-payment.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

// Pending `exact` settlements through the gate over HTTP, on anvil with automine off: the answer
// while pending is a retryable 503 carrying the hash, never a refusal; money is read from the chain.
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
afterEach(async () => {
  await devnet.testClient.setAutomine(true)
})

const usdc = () => devnet.tokens.usdc.address

/** A fresh settler with gas, and a fresh payer holding 1 USDC. */
async function actors(): Promise<{ settler: LocalAccount; payer: LocalAccount }> {
  const settler = privateKeyToAccount(generatePrivateKey())
  const payer = privateKeyToAccount(generatePrivateKey())
  await devnet.testClient.setBalance({ address: settler.address, value: parseEther('10') })
  await devnet.mint('usdc', payer.address, 1_000_000n)
  return { settler, payer }
}

/** A gate served over HTTP on 127.0.0.1 that counts its handler runs. */
async function startGate(
  settler: LocalAccount,
  store: Store,
  options: {
    settings?: Partial<EvmExactSchemeSettings>
    /** Runs inside the handler, before it answers. */
    before?: () => Promise<void>
    /** The gate's `replay.maxBodyBytes`. */
    maxBodyBytes?: number
    /** The handler's body; default a small JSON naming the run. */
    body?: (run: number) => string
  } = {},
) {
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': { price: '$0.01', description: 'Search' } },
    payTo,
    store,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        tx: false,
        exact: {
          settler,
          sendMethod: 'async',
          receiptPollingMs: 10,
          receiptTimeoutMs: 100,
          replaceAfterMs: 600_000,
          ...options.settings,
        },
      }),
    ],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    ...(options.maxBodyBytes === undefined ? {} : { replay: { maxBodyBytes: options.maxBodyBytes } }),
  })
  let runs = 0
  const server = await serve((request) =>
    gate.handle(request, async () => {
      runs++
      await options.before?.()
      const body = options.body?.(runs) ?? JSON.stringify({ results: ['paid'], run: runs })
      return new Response(body, {
        headers: { 'content-type': 'application/json', 'content-language': 'en', 'set-cookie': 'session=1' },
      })
    }),
  )
  const get = (header?: string) =>
    fetch(`${server.origin}/api/search`, {
      headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
    })
  const getMpp = (credential?: string) =>
    fetch(`${server.origin}/api/search`, {
      headers: credential === undefined ? {} : { Authorization: credential },
    })
  return { get, getMpp, runs: () => runs, close: () => server.close() }
}

async function requirementsOf(response: Response): Promise<PaymentRequirements> {
  expect(response.status).toBe(402)
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  const found = required.accepts.find(
    (entry) => entry.scheme === 'exact' && entry.asset.toLowerCase() === usdc().toLowerCase(),
  )
  return found!
}

const paymentResponse = (response: Response) =>
  decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)

async function transfersFrom(payer: Address): Promise<{ transactionHash: Hex; value: bigint }[]> {
  const logs = await devnet.publicClient.getLogs({
    address: usdc(),
    event: transferEvent,
    args: { from: payer, to: payTo },
    fromBlock: 0n,
  })
  return logs.map((log) => ({ transactionHash: log.transactionHash, value: log.args.value as bigint }))
}

async function expectPending(response: Response, transaction?: string): Promise<string> {
  expect(response.status).toBe(503)
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  const settled = paymentResponse(response)
  expect(settled).toMatchObject({
    success: false,
    errorReason: 'settlement_pending',
    transaction: transaction ?? expect.stringMatching(/^0x[0-9a-f]{64}$/),
  })
  expect(await response.json()).toMatchObject({
    error: 'settlement_pending',
    details: { transaction: settled.transaction },
  })
  return settled.transaction
}

describe('gate: a pending exact settlement', () => {
  test('behavior: pending -> 503 with the hash; retry while pending -> 503 again; mined -> retry on another instance -> 200, paid once', async () => {
    const { settler, payer } = await actors()
    const store = createMemoryStore()
    const first = await startGate(settler, store)
    const second = await startGate(settler, store)
    try {
      const accepted = await requirementsOf(await first.get())
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      await devnet.testClient.setAutomine(false)
      const transaction = await expectPending(await first.get(header))
      expect(first.runs()).toBe(1)
      // Still in the pool: the retry answers pending with the same hash and runs nothing.
      await expectPending(await first.get(header), transaction)
      expect(first.runs()).toBe(1)
      expect(await transfersFrom(payer.address)).toEqual([])
      await devnet.mine(1)
      // Confirmed: the response the handler gave the first time is served, nothing runs again.
      const served = await second.get(header)
      expect(served.status).toBe(200)
      expect(served.headers.get('payment-replay')).toBe('true')
      expect(served.headers.get('content-language')).toBe('en')
      expect(served.headers.get('set-cookie')).toBeNull()
      expect(await served.json()).toEqual({ results: ['paid'], run: 1 })
      expect(paymentResponse(served)).toMatchObject({
        success: true,
        transaction,
        payer: payer.address,
        extensions: { replay: true },
      })
      expect(second.runs()).toBe(0)
      // Spent now: the same authorization gets the same kept response again, on either instance.
      const again = await first.get(header)
      expect(again.status).toBe(200)
      expect(again.headers.get('payment-replay')).toBe('true')
      expect(await again.json()).toEqual({ results: ['paid'], run: 1 })
      expect(first.runs() + second.runs()).toBe(1)
      expect(await transfersFrom(payer.address)).toEqual([{ transactionHash: transaction, value: 10_000n }])
      expect(await balanceOf(devnet, usdc(), payer.address)).toBe(990_000n)
      expect(await balanceOf(devnet, usdc(), payTo)).toBe(10_000n)
    } finally {
      await first.close()
      await second.close()
    }
  })

  test('behavior: a pending settlement that provably cannot land (nonce taken) -> the retry settles the same authorization anew, paid once', async () => {
    const { settler, payer } = await actors()
    const gate = await startGate(settler, createMemoryStore())
    try {
      const accepted = await requirementsOf(await gate.get())
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      await devnet.testClient.setAutomine(false)
      const dropped = await expectPending(await gate.get(header))
      await devnet.testClient.request({
        method: 'anvil_dropTransaction' as never,
        params: [dropped] as never,
      })
      // The settler's nonce goes to another transaction: the pending one can never land.
      const other = await settler.signTransaction({
        chainId: devnet.chainId,
        nonce: 0,
        to: settler.address,
        value: 0n,
        gas: 21_000n,
        maxFeePerGas: parseEther('0.00001'),
        maxPriorityFeePerGas: 1n,
        type: 'eip1559',
      })
      await devnet.publicClient.request({ method: 'eth_sendRawTransaction', params: [other] })
      await devnet.mine(1)
      await devnet.testClient.setAutomine(true)
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      const settled = paymentResponse(served)
      expect(settled).toMatchObject({ success: true, payer: payer.address })
      expect(settled.transaction).not.toBe(dropped)
      expect(gate.runs()).toBe(2)
      expect(await transfersFrom(payer.address)).toEqual([
        { transactionHash: settled.transaction, value: 10_000n },
      ])
      expect(await balanceOf(devnet, usdc(), payer.address)).toBe(990_000n)
    } finally {
      await gate.close()
    }
  })

  test('error: a different authorization from the same payer with the same nonce does not resume the pending one -> 409', async () => {
    const { settler, payer } = await actors()
    const gate = await startGate(settler, createMemoryStore())
    try {
      const accepted = await requirementsOf(await gate.get())
      const payload = await signExactPayload({ devnet, signer: payer, requirements: accepted })
      await devnet.testClient.setAutomine(false)
      await expectPending(await gate.get(exactHeader(accepted, payload)))
      await devnet.mine(1)
      // Same payer and nonce (the claim's key), but not the signed authorization that holds it.
      const forged = { ...payload, signature: `0x${'11'.repeat(65)}` }
      const refused = await gate.get(exactHeader(accepted, forged))
      expect(refused.status).toBe(409)
      expect(await refused.json()).toMatchObject({ error: 'payment_in_progress' })
      expect(gate.runs()).toBe(1)
      expect(await transfersFrom(payer.address)).toHaveLength(1)
    } finally {
      await gate.close()
    }
  })

  test('error: the settler runs out of gas money while the handler runs -> 503 settler_unfunded with Retry-After; the authorization stays usable', async () => {
    const { settler, payer } = await actors()
    let clock = Date.now()
    let drain = true
    const gate = await startGate(settler, createMemoryStore(), {
      settings: { now: () => clock },
      before: async () => {
        if (!drain) return
        // The settler is emptied, and the fee cache (with the balance it read) grows stale.
        await devnet.testClient.setBalance({ address: settler.address, value: 0n })
        clock += 3_000
      },
    })
    try {
      const accepted = await requirementsOf(await gate.get())
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      const refused = await gate.get(header)
      expect(refused.status).toBe(503)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(await refused.json()).toMatchObject({ error: 'settler_unfunded' })
      expect(paymentResponse(refused)).toMatchObject({ success: false, errorReason: 'settler_unfunded' })
      expect(await transfersFrom(payer.address)).toEqual([])
      // Funded again, the same authorization is accepted: no claim was kept.
      drain = false
      await devnet.testClient.setBalance({ address: settler.address, value: parseEther('10') })
      clock += 3_000
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      expect(gate.runs()).toBe(2)
      expect(await transfersFrom(payer.address)).toEqual([
        { transactionHash: paymentResponse(served).transaction as Hex, value: 10_000n },
      ])
    } finally {
      await gate.close()
    }
  })

  test('behavior: pending with nothing kept (replay off) -> the confirmed retry runs the handler, paid once', async () => {
    const { settler, payer } = await actors()
    const gate = await startGate(settler, createMemoryStore(), { maxBodyBytes: 0 })
    try {
      const accepted = await requirementsOf(await gate.get())
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      await devnet.testClient.setAutomine(false)
      const transaction = await expectPending(await gate.get(header))
      await devnet.mine(1)
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      expect(served.headers.get('payment-replay')).toBeNull()
      expect(await served.json()).toEqual({ results: ['paid'], run: 2 })
      expect(paymentResponse(served)).toMatchObject({ success: true, transaction })
      expect(await transfersFrom(payer.address)).toEqual([{ transactionHash: transaction, value: 10_000n }])
    } finally {
      await gate.close()
    }
  })
})

describe('gate: exact response replay', () => {
  test('behavior: the same authorization sent again after a served request -> the kept response, Payment-Replay, nothing run or charged', async () => {
    const { settler, payer } = await actors()
    const gate = await startGate(settler, createMemoryStore())
    try {
      const accepted = await requirementsOf(await gate.get())
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      const settled = paymentResponse(served)
      expect(settled).toMatchObject({ success: true, extensions: { replay: { kept: true } } })
      expect(await served.json()).toEqual({ results: ['paid'], run: 1 })
      for (let attempt = 0; attempt < 2; attempt++) {
        const replayed = await gate.get(header)
        expect(replayed.status).toBe(200)
        expect(replayed.headers.get('payment-replay')).toBe('true')
        expect(replayed.headers.get('content-type')).toBe('application/json')
        expect(await replayed.json()).toEqual({ results: ['paid'], run: 1 })
        expect(paymentResponse(replayed)).toMatchObject({
          success: true,
          transaction: settled.transaction,
          payer: payer.address,
          extensions: { replay: true },
        })
      }
      expect(gate.runs()).toBe(1)
      expect(await transfersFrom(payer.address)).toEqual([
        { transactionHash: settled.transaction as Hex, value: 10_000n },
      ])
      expect(await balanceOf(devnet, usdc(), payer.address)).toBe(990_000n)
    } finally {
      await gate.close()
    }
  })

  test('error: another signature for the same payer and nonce after a served request -> refused as used, nothing replayed', async () => {
    const { settler, payer } = await actors()
    const gate = await startGate(settler, createMemoryStore())
    try {
      const accepted = await requirementsOf(await gate.get())
      const payload = await signExactPayload({ devnet, signer: payer, requirements: accepted })
      expect((await gate.get(exactHeader(accepted, payload))).status).toBe(200)
      const forged = { ...payload, signature: `0x${'22'.repeat(65)}` }
      const refused = await gate.get(exactHeader(accepted, forged))
      expect(refused.status).toBe(402)
      expect(refused.headers.get('payment-replay')).toBeNull()
      expect(await refused.json()).toMatchObject({ error: 'payment_already_used' })
      expect(gate.runs()).toBe(1)
    } finally {
      await gate.close()
    }
  })

  test('behavior: a body over replay.maxBodyBytes is not kept: PAYMENT-RESPONSE says so, and the retry is refused as used', async () => {
    const { settler, payer } = await actors()
    const large = 'x'.repeat(2_000)
    const gate = await startGate(settler, createMemoryStore(), {
      maxBodyBytes: 1_024,
      body: () => JSON.stringify({ large }),
    })
    try {
      const accepted = await requirementsOf(await gate.get())
      const header = exactHeader(
        accepted,
        await signExactPayload({ devnet, signer: payer, requirements: accepted }),
      )
      const served = await gate.get(header)
      expect(served.status).toBe(200)
      expect(await served.json()).toEqual({ large })
      expect(paymentResponse(served)).toMatchObject({
        success: true,
        extensions: { replay: { kept: false } },
      })
      const refused = await gate.get(header)
      expect(refused.status).toBe(402)
      expect(await refused.json()).toMatchObject({ error: 'payment_already_used' })
      expect(gate.runs()).toBe(1)
      expect(await transfersFrom(payer.address)).toHaveLength(1)
    } finally {
      await gate.close()
    }
  })

  // Last: it pays the file's shared payee, whose balance the tests above read whole.
  test('behavior: an MPP credential whose settlement is pending -> the same retryable 503, no receipt; mined -> its receipt on the kept answer', async () => {
    const { settler, payer } = await actors()
    const gate = await startGate(settler, createMemoryStore())
    try {
      const [challenge] = challengesOf(await gate.getMpp())
      const { header } = await payChallenge({ devnet, signer: payer, challenge: challenge! })
      await devnet.testClient.setAutomine(false)
      const pending = await gate.getMpp(header)
      expect(pending.headers.get('payment-receipt')).toBeNull()
      const transaction = await expectPending(pending)
      const again = await gate.getMpp(header)
      expect(again.headers.get('payment-receipt')).toBeNull()
      await expectPending(again, transaction)
      expect(gate.runs()).toBe(1)
      await devnet.mine(1)
      const served = await gate.getMpp(header)
      expect(served.status).toBe(200)
      expect(served.headers.get('payment-replay')).toBe('true')
      expect(await served.json()).toEqual({ results: ['paid'], run: 1 })
      expect(decodePaymentReceipt(served.headers.get('payment-receipt'))).toMatchObject({
        status: 'success',
        reference: transaction,
      })
      expect(gate.runs()).toBe(1)
      expect(await transfersFrom(payer.address)).toEqual([{ transactionHash: transaction, value: 10_000n }])
    } finally {
      await gate.close()
    }
  })
})
