import { inspect } from 'node:util'
import type { Devnet } from '@tollgate/testkit'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createClient } from '../src/client/create-client.js'
import { evmNetwork } from '../src/evm/evm-network.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { createGate } from '../src/gate/create-gate.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import { encodePaymentSignatureHeader } from '../src/protocol/payment-signature-header.js'
import type { PaymentPayload } from '../src/protocol/types.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

let devnet: Devnet
let server: Awaited<ReturnType<typeof serve>>

beforeAll(async () => {
  devnet = await startDevnet()
  const gate = createGate({
    logger: quietLogger,
    routes: {
      'GET /api/search': { price: '$0.001' },
      'GET /api/native': { price: '0.0001 ETH' },
    },
    payTo: devnet.accounts[9]!.address,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC', 'native'] })],
    secret: 'client-test-secret-client-test-secret-01',
    registry: devnetRegistry(devnet),
  })
  server = await serve((request) =>
    gate.handle(request, (_request, receipt) => Response.json({ ok: true, payer: receipt?.payer ?? null })),
  )
})
afterAll(async () => {
  await server?.close()
  await devnet?.stop()
})

const walletOf = (index: number) =>
  evmWallet({
    account: privateKeyToAccount(devnet.accounts[index]!.privateKey),
    rpcUrls: { [devnet.network]: devnet.rpcUrl },
    pollingIntervalMs: 20,
  })

describe('createClient with evmWallet on a real chain', () => {
  test('default: pays a tx requirement and gets the resource; money moved on chain', async () => {
    const client = createClient({
      wallets: [walletOf(1)],
      registry: devnetRegistry(devnet),
      policy: { budget: '$1' },
    })
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, devnet.accounts[9]!.address)
    const response = await client.fetch(`${server.origin}/api/search`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, payer: devnet.accounts[1]!.address })
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, devnet.accounts[9]!.address)) - before).toBe(
      1000n,
    )
    expect((await client.spent()).usd).toMatchObject({ spent: '0.001', remaining: '0.999' })
    const types = (await client.ledger.records()).map((record) => record.type)
    expect(types).toEqual(['quote', 'broadcast', 'confirmed', 'accepted'])
  })

  test('behavior: pays in the native coin when that is what is asked', async () => {
    const client = createClient({
      wallets: [walletOf(2)],
      registry: devnetRegistry(devnet),
      policy: { budget: ['0.01 ETH'] },
    })
    expect((await client.fetch(`${server.origin}/api/native`)).status).toBe(200)
  })

  test('behavior: concurrent payments from one wallet never collide on a nonce', async () => {
    const client = createClient({
      wallets: [walletOf(3)],
      registry: devnetRegistry(devnet),
      policy: { budget: '$1' },
    })
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => client.fetch(`${server.origin}/api/search`)),
    )
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200])
    expect((await client.spent()).payments).toBe(6)
  })

  test('behavior: pay() pays requirements that arrived outside HTTP, under the same policy', async () => {
    const client = createClient({
      wallets: [walletOf(5)],
      registry: devnetRegistry(devnet),
      policy: { budget: '$0.001' },
    })
    const quote = await fetch(`${server.origin}/api/search`)
    const paymentRequired = decodePaymentRequiredHeader(quote.headers.get('PAYMENT-REQUIRED')!)
    const pending = await client.pay(paymentRequired, { url: `${server.origin}/api/search` })
    const response = await fetch(`${server.origin}/api/search`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(pending.payload) },
    })
    expect(response.status).toBe(200)
    const info = await pending.accepted(
      decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!),
    )
    expect(info).toMatchObject({ method: 'payment', scheme: 'tx', amount: '1000', display: '0.001 USDC' })
    await expect(client.pay(paymentRequired, { url: `${server.origin}/api/search` })).rejects.toMatchObject({
      code: 'policy_budget_exceeded',
    })
  })

  test('behavior: pay() proves the same transfer again when the server wants a new proof, and never pays twice', async () => {
    // The gate's clock jumps past the challenge the first proof answers.
    let skipMs = 0
    const gate = createGate({
      logger: quietLogger,
      routes: { 'GET /api/slow': { price: '$0.001', maxTimeoutSeconds: 30 } },
      payTo: devnet.accounts[9]!.address,
      networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
      secret: 'client-test-secret-client-test-secret-02',
      registry: devnetRegistry(devnet),
      now: () => Date.now() + skipMs,
    })
    const slow = await serve((request) => gate.handle(request, () => Response.json({ ok: true })))
    try {
      const client = createClient({
        wallets: [walletOf(7)],
        registry: devnetRegistry(devnet),
        policy: { budget: '$1' },
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
      })
      const send = (payload: PaymentPayload) =>
        fetch(`${slow.origin}/api/slow`, {
          headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
        })
      const before = await balanceOf(devnet, devnet.tokens.usdc.address, devnet.accounts[9]!.address)
      const quote = await fetch(`${slow.origin}/api/slow`)
      const pending = await client.pay(decodePaymentRequiredHeader(quote.headers.get('PAYMENT-REQUIRED')!), {
        url: `${slow.origin}/api/slow`,
      })
      const first = pending.payload
      skipMs = 120_000
      const refused = await send(first)
      expect(refused.status).toBe(402)
      const refusal = decodePaymentRequiredHeader(refused.headers.get('PAYMENT-REQUIRED')!)
      expect(refusal.error).toBe('challenge_expired')
      const again = await pending.retry(refusal, refusal.error!)
      expect(again?.payload.transaction).toBe(first.payload.transaction)
      expect(again?.payload.signature).not.toBe(first.payload.signature)
      const served = await send(again!)
      expect(served.status).toBe(200)
      await pending.accepted(decodePaymentResponseHeader(served.headers.get('PAYMENT-RESPONSE')!))
      // One transfer moved, and the books say so.
      expect(
        (await balanceOf(devnet, devnet.tokens.usdc.address, devnet.accounts[9]!.address)) - before,
      ).toBe(1000n)
      expect((await client.spent()).payments).toBe(1)
      // A refusal no proof can mend is reported, not retried.
      expect(await pending.retry(refusal, 'payment_already_used')).toBeUndefined()
    } finally {
      await slow.close()
    }
  })

  test('error: a request with maxAmount below the price pays nothing', async () => {
    const wallet = walletOf(6)
    let sent = 0
    const client = createClient({
      wallets: [
        {
          ...wallet,
          sendTransfer: (input) => {
            sent++
            return wallet.sendTransfer!(input)
          },
        },
      ],
      registry: devnetRegistry(devnet),
    })
    await expect(
      client.fetch(`${server.origin}/api/search`, {}, { maxAmount: '$0.0005' }),
    ).rejects.toMatchObject({
      code: 'price_above_limit',
      message:
        'The service asks for 0.001 USDC, more than the $0.0005 this request may cost; nothing was paid.',
    })
    expect(sent).toBe(0)
    expect((await client.fetch(`${server.origin}/api/search`, {}, { maxAmount: '$0.001' })).status).toBe(200)
  })

  test('behavior: the wallet reveals no key material', () => {
    const wallet = walletOf(4)
    const key = devnet.accounts[4]!.privateKey.slice(2)
    expect(JSON.stringify(wallet)).not.toContain(key)
    expect(inspect(wallet, { depth: 10 })).not.toContain(key)
    expect(String(inspect(wallet))).toContain(devnet.accounts[4]!.address)
  })

  test('error: a wallet that cannot afford the transfer fails before broadcasting', async () => {
    const poor = privateKeyToAccount('0x1111111111111111111111111111111111111111111111111111111111111111')
    await devnet.testClient.setBalance({ address: poor.address, value: 10n ** 18n })
    const client = createClient({
      wallets: [
        evmWallet({ account: poor, rpcUrls: { [devnet.network]: devnet.rpcUrl }, pollingIntervalMs: 20 }),
      ],
      registry: devnetRegistry(devnet),
    })
    await expect(client.fetch(`${server.origin}/api/search`)).rejects.toMatchObject({
      code: 'wallet_insufficient_funds',
    })
    expect((await client.ledger.records()).map((record) => record.type)).toEqual(['quote', 'failed'])
  })
})
