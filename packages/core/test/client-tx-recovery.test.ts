import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClientEvent } from '../src/client/client-types.js'
import { createClient } from '../src/client/create-client.js'
import { evmNetwork } from '../src/evm/evm-network.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { createGate } from '../src/gate/create-gate.js'
import type { Ledger } from '../src/ledger/types.js'
import type { Wallet } from '../src/scheme/wallet.js'
import { callPaidEndpoint } from '../src/tools/call-paid-endpoint.js'
import { compilePaidEndpoint } from '../src/tools/compile-paid-endpoint.js'
import { devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { type RpcCall, type RpcVerdict, rpcProxy } from './support/rpc-proxy.js'
import { serve } from './support/serve.js'

let devnet: Devnet
let gateServer: Awaited<ReturnType<typeof serve>>
let handlerRuns = 0

beforeAll(async () => {
  devnet = await startDevnet()
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': { price: '$0.001' } },
    payTo: devnet.accounts[9]!.address,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: 'client-tx-recovery-secret-0123456789abcdef',
    registry: devnetRegistry(devnet),
  })
  gateServer = await serve((request) =>
    gate.handle(request, () => {
      handlerRuns++
      return Response.json({ ok: true })
    }),
  )
})
afterAll(async () => {
  await gateServer?.close()
  await devnet?.stop()
})

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

function counted(wallet: Wallet) {
  const calls = { sendTransfer: 0 }
  return {
    calls,
    wallet: {
      ...wallet,
      sendTransfer: (input: Parameters<NonNullable<Wallet['sendTransfer']>>[0]) => {
        calls.sendTransfer++
        return wallet.sendTransfer!(input)
      },
    } satisfies Wallet,
  }
}

async function clientThrough(
  account: number,
  decide: (calls: RpcCall[]) => RpcVerdict,
  extra: { ledger?: Ledger; fetch?: typeof fetch; events?: ClientEvent[] } = {},
) {
  const proxy = await rpcProxy(devnet.rpcUrl, decide)
  const { wallet, calls } = counted(
    evmWallet({
      account: privateKeyToAccount(devnet.accounts[account]!.privateKey),
      rpcUrls: { [devnet.network]: proxy.url },
      pollingIntervalMs: 20,
      rpcTimeoutMs: 2000,
    }),
  )
  const client = createClient({
    wallets: [wallet],
    registry: devnetRegistry(devnet),
    policy: { budget: '$1' },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    ...(extra.ledger ? { ledger: extra.ledger } : {}),
    ...(extra.fetch ? { fetch: extra.fetch } : {}),
    ...(extra.events ? { onEvent: (event: ClientEvent) => extra.events!.push(event) } : {}),
  })
  return { client, calls, proxy }
}

const sends = (calls: RpcCall[]) => calls.some((call) => call.method === 'eth_sendRawTransaction')
const lookups = (calls: RpcCall[]) => calls.some((call) => call.method === 'eth_getTransactionByHash')

describe('a transfer is recorded before it can exist', () => {
  test('behavior: the node accepted but the gateway answered 502: the hash is looked up and the payment goes on', async () => {
    const payer = devnet.accounts[1]!.address
    let lost = 0
    const events: ClientEvent[] = []
    const { client, calls, proxy } = await clientThrough(
      1,
      (batch) => (sends(batch) && lost++ === 0 ? 'forward_then_502' : 'forward'),
      { events },
    )
    const response = await client.fetch(`${gateServer.origin}/api/search`)
    expect(response.status).toBe(200)
    expect(calls.sendTransfer).toBe(1)
    expect(await spentOnChain(payer)).toBe(1000n)
    expect((await client.spent()).usd?.spent).toBe('0.001')
    const lifecycle = events
      .filter((event) => ['reserved', 'signed', 'broadcast', 'settled', 'released'].includes(event.type))
      .map((event) => event.type)
    expect(lifecycle).toEqual(['reserved', 'signed', 'broadcast', 'settled'])
    // The hash was on record before the send was attempted.
    const types = (await client.ledger.records()).map((record) => record.type)
    expect(types).toEqual(['quote', 'broadcast', 'confirmed', 'accepted'])
    await proxy.close()
  })

  test('behavior: an ambiguous send keeps the reservation; the retry proves that same transfer', async () => {
    const payer = devnet.accounts[2]!.address
    let phase: 'lose' | 'normal' = 'lose'
    const { client, calls, proxy } = await clientThrough(2, (batch) => {
      if (phase === 'lose' && sends(batch)) return 'forward_then_502'
      // The lookup fails too: whether it was sent cannot be known now.
      if (phase === 'lose' && lookups(batch)) return '502'
      return 'forward'
    })
    const error = await client.fetch(`${gateServer.origin}/api/search`).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'rpc_unavailable', details: { ambiguous: true } })
    // Still reserved: the transfer may have moved (it did), so its budget is not freed.
    expect((await client.reserved()).payments).toBe(1)
    expect((await client.spent()).usd).toMatchObject({ spent: '0', remaining: '0.999' })
    phase = 'normal'
    const response = await client.fetch(`${gateServer.origin}/api/search`)
    expect(response.status).toBe(200)
    expect(client.paymentFor(response)).toMatchObject({ reused: true })
    expect(calls.sendTransfer).toBe(1)
    expect(await spentOnChain(payer)).toBe(1000n)
    expect((await client.spent()).usd?.spent).toBe('0.001')
    expect((await client.reserved()).payments).toBe(0)
    await proxy.close()
  })

  test('behavior: a recorded transfer that never reached the node is sent again, never paid anew', async () => {
    const payer = devnet.accounts[3]!.address
    let phase: 'drop' | 'normal' = 'drop'
    const { client, calls, proxy } = await clientThrough(3, (batch) =>
      phase === 'drop' && sends(batch) ? '502' : 'forward',
    )
    const error = await client.fetch(`${gateServer.origin}/api/search`).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'rpc_unavailable' })
    expect(await spentOnChain(payer)).toBe(0n)
    phase = 'normal'
    const response = await client.fetch(`${gateServer.origin}/api/search`)
    expect(response.status).toBe(200)
    expect(calls.sendTransfer).toBe(1)
    expect(await spentOnChain(payer)).toBe(1000n)
    expect((await client.spent()).usd?.spent).toBe('0.001')
    await proxy.close()
  })
})

describe('a paid request whose answer was lost is retried with the same proof', () => {
  test('behavior: a 502 before the gate saw it, then 409 payment_in_progress, then 202 pending: the same proof is sent until served', async () => {
    const payer = devnet.accounts[4]!.address
    const proofs: string[] = []
    const answers = [502, 409, 202]
    const flaky: typeof fetch = async (input, init) => {
      const proof = new Headers(init?.headers).get('PAYMENT-SIGNATURE')
      if (proof !== null) {
        proofs.push(proof)
        const status = answers.shift()
        if (status === 502) return new Response('bad gateway', { status })
        if (status === 409) {
          return Response.json({ error: 'payment_in_progress' }, { status, headers: { 'retry-after': '0' } })
        }
        // A settlement still pending: come back later with the same proof.
        if (status === 202) return new Response(null, { status, headers: { 'retry-after': '0' } })
      }
      return fetch(input, init)
    }
    const { client, calls, proxy } = await clientThrough(4, () => 'forward', { fetch: flaky })
    const runs = handlerRuns
    const response = await client.fetch(`${gateServer.origin}/api/search`)
    expect(response.status).toBe(200)
    expect(proofs).toHaveLength(4)
    expect(new Set(proofs).size).toBe(1)
    expect(handlerRuns - runs).toBe(1)
    expect(calls.sendTransfer).toBe(1)
    expect(await spentOnChain(payer)).toBe(1000n)
    await proxy.close()
  })

  test('behavior: served but the answer was lost: the retry never pays again', async () => {
    const payer = devnet.accounts[5]!.address
    const proofs: string[] = []
    let lose = true
    const lossy: typeof fetch = async (input, init) => {
      const proof = new Headers(init?.headers).get('PAYMENT-SIGNATURE')
      const response = await fetch(input, init)
      if (proof !== null) proofs.push(proof)
      if (proof !== null && lose) {
        lose = false
        await response.body?.cancel()
        throw new TypeError('fetch failed: socket hang up')
      }
      return response
    }
    const { client, calls, proxy } = await clientThrough(5, () => 'forward', { fetch: lossy })
    const outcome = await client.fetch(`${gateServer.origin}/api/search`).then(
      (response) => response.status,
      (error: { code?: string; details?: { code?: string } }) => error.details?.code ?? error.code,
    )
    // A gate that keeps the response replays it; one that does not says it was used. Never a new payment.
    expect([200, 'payment_already_used']).toContain(outcome)
    expect(new Set(proofs).size).toBe(1)
    expect(calls.sendTransfer).toBe(1)
    expect(await spentOnChain(payer)).toBe(1000n)
    expect((await client.spent()).usd?.spent).toBe('0.001')
    await proxy.close()
  })

  test('behavior: a paid tool call retried by the agent after a lost answer reuses its payment', async () => {
    const payer = devnet.accounts[6]!.address
    let down = true
    // Every paid attempt of the first tool call is lost before the gate sees it.
    const unreachable: typeof fetch = async (input, init) => {
      if (down && new Headers(init?.headers).has('PAYMENT-SIGNATURE'))
        throw new TypeError('fetch failed: ECONNRESET')
      return fetch(input, init)
    }
    const { client, calls, proxy } = await clientThrough(6, () => 'forward', { fetch: unreachable })
    const tool = compilePaidEndpoint({
      name: 'search',
      description: 'Searches.',
      endpoint: `${gateServer.origin}/api/search`,
      params: {},
    })
    const first = await callPaidEndpoint(client, tool, {}, { maxResponseChars: 1000 })
    expect(first).toMatchObject({ ok: false, problem: { error: 'request_failed' } })
    down = false
    const second = await callPaidEndpoint(client, tool, {}, { maxResponseChars: 1000 })
    expect(second).toMatchObject({ ok: true, status: 200, payment: { reused: true } })
    expect(calls.sendTransfer).toBe(1)
    expect(await spentOnChain(payer)).toBe(1000n)
    await proxy.close()
  })
})
