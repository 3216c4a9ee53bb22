import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClientEvent } from '../src/client/client-types.js'
import { createClient } from '../src/client/create-client.js'
import { TollgateError } from '../src/errors/tollgate-error.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { createMemoryLedger } from '../src/ledger/create-memory-ledger.js'
import { encodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentSignatureHeader } from '../src/protocol/payment-signature-header.js'
import type { PaymentPayload, PaymentRequirements } from '../src/protocol/types.js'
import { devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { settleAuthorization } from './support/exact-payment.js'
import { serve } from './support/serve.js'

// A server that takes every authorization, answers with a refusal, and keeps them to settle later.
type LyingServer = {
  origin: string
  kept: PaymentPayload[]
  close(): Promise<void>
}

let devnet: Devnet

beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

function exactOffer(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    asset: devnet.tokens.usdc.address,
    amount: '1000',
    payTo: devnet.accounts[9]!.address,
    // The server asks for authorizations valid for a year.
    maxTimeoutSeconds: 31_536_000,
    extra: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
    ...overrides,
  }
}

function paymentRequired(accepts: PaymentRequirements[], error?: string): Response {
  const body = {
    x402Version: 2 as const,
    resource: { url: 'http://127.0.0.1/paid' },
    accepts,
    ...(error ? { error } : {}),
  }
  return Response.json(
    { error: error ?? 'payment_required', accepts },
    { status: 402, headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(body) } },
  )
}

async function lyingServer(
  refusal: (attempt: number) => { error: string; amount?: string },
): Promise<LyingServer> {
  const kept: PaymentPayload[] = []
  const server = await serve((request) => {
    const header = request.headers.get('PAYMENT-SIGNATURE')
    if (header === null) return paymentRequired([exactOffer()])
    kept.push(decodePaymentSignatureHeader(header))
    const { error, amount } = refusal(kept.length)
    return paymentRequired([exactOffer(amount === undefined ? {} : { amount })], error)
  })
  return { origin: server.origin, kept, close: server.close }
}

// Settles a kept authorization from another account, as a lying server does later.
async function settle(payload: PaymentPayload): Promise<void> {
  const { authorization, signature } = payload.payload as {
    authorization: Record<'from' | 'to' | 'value' | 'validAfter' | 'validBefore' | 'nonce', string>
    signature: Hex
  }
  await settleAuthorization(devnet, authorization, signature)
}

// Atomic units that left `payer` on chain, from the token's Transfer events.
async function spentOnChain(payer: Address): Promise<bigint> {
  const events = await devnet.publicClient.getContractEvents({
    address: devnet.tokens.usdc.address,
    abi: erc20Abi,
    eventName: 'Transfer',
    args: { from: payer },
    fromBlock: 0n,
  })
  return events.reduce((total, event) => total + (event.args.value ?? 0n), 0n)
}

async function chainTimeMs(): Promise<number> {
  const block = await devnet.publicClient.getBlock()
  return Number(block.timestamp) * 1000
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error.code
    throw error
  }
  return 'ok'
}

function clientFor(
  account: number,
  options: { budget: string; clock: { now: number }; events?: ClientEvent[] },
) {
  const ledger = createMemoryLedger()
  const make = () =>
    createClient({
      wallets: [
        evmWallet({
          account: privateKeyToAccount(devnet.accounts[account]!.privateKey),
          rpcUrls: { [devnet.network]: devnet.rpcUrl },
          pollingIntervalMs: 20,
        }),
      ],
      registry: devnetRegistry(devnet),
      policy: { budget: options.budget },
      ledger,
      now: () => options.clock.now,
      onEvent: (event) => options.events?.push(event),
    })
  return { client: make(), restart: make, ledger }
}

describe('an exact authorization is money until it provably is not', () => {
  test('behavior: a server that refuses 10 authorizations and settles them later moves no more than the budget', async () => {
    const payer = devnet.accounts[1]!.address
    const server = await lyingServer((attempt) =>
      attempt % 2 === 0
        ? { error: 'invalid_exact_evm_payload_signature' }
        : // A "new price", a little lower each time: the client's authorization stays valid regardless.
          { error: 'price_changed', amount: String(1000 - attempt) },
    )
    const clock = { now: await chainTimeMs() }
    const { client } = clientFor(1, { budget: '$0.003', clock })
    const codes: string[] = []
    for (let call = 0; call < 10; call++) codes.push(await codeOf(client.fetch(`${server.origin}/paid`)))
    // Three authorizations fit the budget; one refused with a transient code is resent (same nonce)
    // rather than signed anew, and then the budget says no.
    expect(new Set(codes)).toEqual(new Set(['payment_rejected', 'policy_budget_exceeded']))
    expect(codes.slice(-5)).toEqual(Array(5).fill('policy_budget_exceeded'))
    const nonces = new Set(
      server.kept.map((payload) => (payload.payload.authorization as { nonce: string }).nonce),
    )
    expect(nonces.size).toBe(3)
    // Whatever the server asked, the authorizations are valid from 0 for at most 120 s.
    for (const payload of server.kept) {
      const authorization = payload.payload.authorization as { validAfter: string; validBefore: string }
      expect(authorization.validAfter).toBe('0')
      expect(Number(authorization.validBefore) - clock.now / 1000).toBeLessThanOrEqual(120)
    }
    expect((await client.spent()).usd?.spent).toBe('0')
    expect(await client.reserved()).toMatchObject({ payments: 3, usd: '0.003' })

    const distinct = [...nonces].map(
      (nonce) =>
        server.kept.find((payload) => (payload.payload.authorization as { nonce: string }).nonce === nonce)!,
    )
    for (const payload of distinct) await settle(payload)
    expect(await spentOnChain(payer)).toBe(3000n)

    // Past validBefore on chain, the client asks the chain what became of each one.
    await devnet.increaseTime(180)
    await devnet.mine()
    clock.now = await chainTimeMs()
    await client.reconcile()
    expect((await client.spent()).usd?.spent).toBe('0.003')
    expect((await client.reserved()).payments).toBe(0)
    expect(await codeOf(client.fetch(`${server.origin}/paid`))).toBe('policy_budget_exceeded')
    expect(await spentOnChain(payer)).toBe(3000n)
    await server.close()
  })

  test('behavior: an authorization never settled is released once validBefore has passed on chain, also after a restart', async () => {
    const payer = devnet.accounts[2]!.address
    const server = await lyingServer(() => ({ error: 'invalid_exact_evm_payload_signature' }))
    const clock = { now: await chainTimeMs() }
    const events: ClientEvent[] = []
    const { client, restart } = clientFor(2, { budget: '$0.002', clock, events })
    expect(await codeOf(client.fetch(`${server.origin}/paid`))).toBe('payment_rejected')
    expect(await codeOf(client.fetch(`${server.origin}/paid`))).toBe('payment_rejected')
    expect(await codeOf(client.fetch(`${server.origin}/paid`))).toBe('policy_budget_exceeded')
    // A restart before validBefore counts them too: nothing was released on the server's word.
    const early = restart()
    expect(await codeOf(early.fetch(`${server.origin}/paid`))).toBe('policy_budget_exceeded')
    expect(events.filter((event) => event.type === 'released')).toEqual([])

    await devnet.increaseTime(180)
    await devnet.mine()
    clock.now = await chainTimeMs()
    // A fresh process on the same ledger: expired, unused on chain, so released and recorded.
    const later = restart()
    await later.reconcile()
    expect((await later.spent()).usd?.spent).toBe('0')
    expect((await later.reserved()).payments).toBe(0)
    expect((await later.ledger.records()).filter((record) => record.type === 'released')).toHaveLength(2)
    // The running client frees its reservations the same way.
    await client.reconcile()
    expect((await client.reserved()).payments).toBe(0)
    expect(events.filter((event) => event.type === 'released').map((event) => event.type)).toEqual([
      'released',
      'released',
    ])
    expect(await spentOnChain(payer)).toBe(0n)
    await server.close()
  })

  test('behavior: payment_already_used for its own authorization means spent', async () => {
    const payer = devnet.accounts[3]!.address
    const kept: PaymentPayload[] = []
    const server = await serve(async (request) => {
      const header = request.headers.get('PAYMENT-SIGNATURE')
      if (header === null) return paymentRequired([exactOffer()])
      const payload = decodePaymentSignatureHeader(header)
      kept.push(payload)
      // Settled, but the answer says it was used before.
      await settle(payload)
      return paymentRequired([exactOffer()], 'payment_already_used')
    })
    const clock = { now: await chainTimeMs() }
    const { client } = clientFor(3, { budget: '$0.01', clock })
    const error = await client.fetch(`${server.origin}/paid`).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'payment_rejected', details: { code: 'payment_already_used' } })
    expect(await spentOnChain(payer)).toBe(1000n)
    expect((await client.spent()).usd?.spent).toBe('0.001')
    expect((await client.reserved()).payments).toBe(0)
    await server.close()
  })
})
