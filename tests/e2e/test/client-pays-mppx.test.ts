import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type ClientEvent,
  type ClientPreferences,
  createChainRegistry,
  createClient,
  decodePaymentReceipt,
  TollgateError,
} from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { transfersOnChain, usdcRegistry, walletOf } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen } from '../src/fixtures.js'
import { type MppxServer, startMppxServer } from '../src/start-mppx-server.js'

let devnet: Devnet
let mppx: MppxServer
const payer = (index: number) => devnet.accounts[index]!.address as Address

beforeAll(async () => {
  devnet = await startDevnet()
  mppx = await startMppxServer(devnet)
})
afterAll(async () => {
  await mppx?.close()
  await devnet?.stop()
})

function clientFor(
  index: number,
  options: {
    protocols?: ClientPreferences['protocols']
    registry?: ReturnType<typeof usdcRegistry>
    policy?: Parameters<typeof createClient>[0]['policy']
    fetch?: typeof fetch
  } = {},
) {
  const events: ClientEvent[] = []
  const client = createClient({
    wallets: [walletOf(devnet, index)],
    registry: options.registry ?? usdcRegistry(devnet),
    policy: options.policy ?? { budget: '$10' },
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    ...(options.protocols ? { preferences: { protocols: options.protocols } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onEvent: (event) => events.push(event),
  })
  const signed = () => events.filter((event) => event.type === 'authorization_signed').length
  return { client, events, signed }
}

// The devnet USDC, listed without its EIP-712 domain (which an MPP request does not carry).
function withoutDomain() {
  const { usdc } = devnet.tokens
  return createChainRegistry({
    assets: [
      {
        network: devnet.network,
        address: usdc.address,
        symbol: 'USDC',
        name: 'USD Coin',
        decimals: 6,
        usdPegged: true,
      },
    ],
  })
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error.code
    throw error
  }
  throw new Error('expected a TollgateError')
}

// Forwards to `target`, letting `rewrite` change each answer's headers (or drop the answer).
function proxy(
  target: string,
  rewrite: (request: IncomingMessage, headers: Record<string, string>) => 'drop' | undefined,
) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers.set(name, value)
    }
    const upstream = await fetch(`${target}${request.url}`, { headers, redirect: 'manual' })
    const out: Record<string, string> = {}
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'transfer-encoding', 'connection'].includes(name)) out[name] = value
    })
    const body = Buffer.from(await upstream.arrayBuffer())
    if (rewrite(request, out) === 'drop') {
      response.socket?.destroy()
      return
    }
    response.writeHead(upstream.status, { ...out, 'content-length': String(body.length) })
    response.end(body)
  }
}

describe('the Tollgate client pays the real mppx 0.11.0 server on the devnet', () => {
  test('MPP first: one Authorization: Payment credential, the receipt read, the money moved once on chain', async () => {
    const before = mppx.credentials.length
    const { client, signed } = clientFor(1, { protocols: ['mpp', 'x402'] })
    const response = await client.fetch(`${mppx.url}/paid`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ weather: 'sunny' })
    const receipt = decodePaymentReceipt(response.headers.get('Payment-Receipt'))
    const info = client.paymentFor(response)
    expect(info).toMatchObject({
      method: 'payment',
      scheme: 'mpp',
      amount: '10000',
      transaction: receipt.reference,
    })
    expect(mppx.credentials.slice(before)).toEqual(['mpp'])
    expect(mppx.acceptPayment.at(-1)).toBe('evm/charge')
    expect(signed()).toBe(1)
    expect(await transfersOnChain(devnet, payer(1), mppx.recipient)).toEqual([10_000n])
    const onChain = await devnet.publicClient.getTransactionReceipt({
      hash: receipt.reference as `0x${string}`,
    })
    expect(onChain.status).toBe('success')
    expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
  })

  test('default order (x402 first): the same 402 is paid once, with its x402 offer', async () => {
    const before = mppx.credentials.length
    const { client, signed } = clientFor(2)
    const response = await client.fetch(`${mppx.url}/paid`)
    expect(response.status).toBe(200)
    expect(client.paymentFor(response)).toMatchObject({ scheme: 'exact', amount: '10000' })
    expect(mppx.credentials.slice(before)).toEqual(['x402'])
    expect(signed()).toBe(1)
    expect(await transfersOnChain(devnet, payer(2), mppx.recipient)).toEqual([10_000n])
  })

  test('the token EIP-712 domain, missing from the registry, is read from the token itself', async () => {
    const before = mppx.credentials.length
    const { client, signed } = clientFor(3, { protocols: ['mpp', 'x402'], registry: withoutDomain() })
    const response = await client.fetch(`${mppx.url}/paid`)
    expect(response.status).toBe(200)
    expect(client.paymentFor(response)).toMatchObject({ scheme: 'mpp' })
    expect(mppx.credentials.slice(before)).toEqual(['mpp'])
    expect(signed()).toBe(1)
    expect(await transfersOnChain(devnet, payer(3), mppx.recipient)).toEqual([10_000n])
  })

  test('Accept-Payment: absent when MPP is not spoken, the caller own value kept otherwise', async () => {
    const before = mppx.acceptPayment.length
    const paid = (await transfersOnChain(devnet, payer(2), mppx.recipient)).length
    const x402Only = clientFor(2, { protocols: ['x402'] })
    expect((await x402Only.client.fetch(`${mppx.url}/paid`)).status).toBe(200)
    const own = clientFor(2)
    const init = { headers: { 'Accept-Payment': 'evm/charge;q=0.5' } }
    expect((await own.client.fetch(`${mppx.url}/paid`, init)).status).toBe(200)
    expect(mppx.acceptPayment.slice(before)).toEqual([null, null, 'evm/charge;q=0.5', 'evm/charge;q=0.5'])
    expect((await transfersOnChain(devnet, payer(2), mppx.recipient)).slice(paid)).toEqual([10_000n, 10_000n])
  })

  test('fallback MPP -> x402: no domain in the registry and no RPC to read it from the token', async () => {
    const before = mppx.credentials.length
    // A wallet that signs offline only: it cannot ask the token, so MPP cannot be signed; the x402
    // offer carries the domain.
    const offline = evmWallet({ account: privateKeyToAccount(devnet.accounts[3]!.privateKey) })
    const client = createClient({
      wallets: [offline],
      registry: withoutDomain(),
      preferences: { protocols: ['mpp', 'x402'] },
    })
    const response = await client.fetch(`${mppx.url}/paid`)
    expect(response.status).toBe(200)
    expect(client.paymentFor(response)).toMatchObject({ scheme: 'exact' })
    expect(mppx.credentials.slice(before)).toEqual(['x402'])
    expect(await transfersOnChain(devnet, payer(3), mppx.recipient)).toEqual([10_000n, 10_000n])
  })

  test('fallback x402 -> MPP: a broken PAYMENT-REQUIRED header leaves the MPP challenge, paid once', async () => {
    const before = mppx.credentials.length
    const front = await listen(
      proxy(mppx.url, (_request, headers) => {
        if (headers['payment-required'] !== undefined) headers['payment-required'] = '!!not base64!!'
        return undefined
      }),
    )
    try {
      const { client, signed } = clientFor(4)
      const response = await client.fetch(`${front.url}/paid`)
      expect(response.status).toBe(200)
      expect(client.paymentFor(response)).toMatchObject({ scheme: 'mpp' })
      expect(mppx.credentials.slice(before)).toEqual(['mpp'])
      expect(signed()).toBe(1)
      expect(await transfersOnChain(devnet, payer(4), mppx.recipient)).toEqual([10_000n])
    } finally {
      await front.close()
    }
  })

  test('a lost answer resends the same credential, never a new payment, nor a fallback to x402', async () => {
    const before = mppx.credentials.length
    const credentials: string[] = []
    const front = await listen(
      proxy(mppx.url, (request) => {
        const authorization = request.headers.authorization
        if (authorization === undefined) return undefined
        credentials.push(authorization)
        // The paid answer is lost once, after the server settled.
        return credentials.length === 1 ? 'drop' : undefined
      }),
    )
    try {
      const { client, signed } = clientFor(5, { protocols: ['mpp', 'x402'] })
      // mppx keeps no replay store: the resent credential reaches the token, which refuses the used
      // nonce, and mppx asks again (402, verification-failed). The chain says it was paid.
      const error = await client.fetch(`${front.url}/paid`).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'payment_rejected', details: { code: 'verification-failed' } })
      expect(credentials).toHaveLength(2)
      expect(new Set(credentials).size).toBe(1)
      expect(mppx.credentials.slice(before)).toEqual(['mpp', 'mpp'])
      expect(signed()).toBe(1)
      expect(await transfersOnChain(devnet, payer(5), mppx.recipient)).toEqual([10_000n])
      // Spent, as the chain says, and nothing left reserved.
      expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
      expect(await client.reserved()).toMatchObject({ payments: 0 })
    } finally {
      await front.close()
    }
  })
})

describe('a refused credential that was sent twice: the chain decides whether x402 may be paid', () => {
  // The first paid request gets a 500 the server never saw; the resend reaches a second mppx server
  // (another secret, same price and recipient), which refuses the credential and offers both again.
  async function refusingAfterA500() {
    const other = await startMppxServer(devnet, { secretKey: 'another-secret-another-secret-000000' })
    let paid = 0
    const front = await listen(async (request, response) => {
      if (request.headers.authorization === undefined && request.headers['payment-signature'] === undefined)
        return proxy(mppx.url, () => undefined)(request, response)
      if (paid++ === 0) {
        response.writeHead(500).end()
        return
      }
      return proxy(other.url, () => undefined)(request, response)
    })
    return {
      front,
      other,
      close: async () => {
        await front.close()
        await other.close()
      },
    }
  }

  test('unused on chain: the x402 offer of the refusal is paid, once', async () => {
    const { front, other, close } = await refusingAfterA500()
    try {
      const { client, signed } = clientFor(7, { protocols: ['mpp', 'x402'] })
      const response = await client.fetch(`${front.url}/paid`)
      expect(response.status).toBe(200)
      expect(client.paymentFor(response)).toMatchObject({ scheme: 'exact' })
      expect(other.credentials).toEqual(['mpp', 'x402'])
      expect(signed()).toBe(2)
      expect(await transfersOnChain(devnet, payer(7), mppx.recipient)).toEqual([10_000n])
    } finally {
      await close()
    }
  })

  test('unknown (a wallet without RPC): nothing else is paid, payment_rejected', async () => {
    const { front, other, close } = await refusingAfterA500()
    try {
      const offline = evmWallet({ account: privateKeyToAccount(devnet.accounts[0]!.privateKey) })
      const client = createClient({
        wallets: [offline],
        registry: usdcRegistry(devnet),
        preferences: { protocols: ['mpp', 'x402'] },
        retry: { baseDelayMs: 10, maxDelayMs: 200 },
      })
      expect(await codeOf(client.fetch(`${front.url}/paid`))).toBe('payment_rejected')
      expect(other.credentials).toEqual(['mpp'])
      expect(await transfersOnChain(devnet, payer(0), mppx.recipient)).toEqual([])
    } finally {
      await close()
    }
  })
})

describe('a malicious MPP server is refused before anything is signed', () => {
  test('a challenge above the per-call cap: policy_per_call_exceeded, no credential, no transfer', async () => {
    const dear = await startMppxServer(devnet, { amount: '0.5' })
    try {
      const { client, signed } = clientFor(6, {
        protocols: ['mpp'],
        policy: { perCall: '$0.10', budget: '$10' },
      })
      expect(await codeOf(client.fetch(`${dear.url}/paid`))).toBe('policy_per_call_exceeded')
      expect(dear.credentials).toEqual([])
      expect(signed()).toBe(0)
      expect(await transfersOnChain(devnet, payer(6), dear.recipient)).toEqual([])
    } finally {
      await dear.close()
    }
  })

  test('payTo changed between the 402 and the retry: pay_to_changed, one signature, nothing moved', async () => {
    // Unpaid requests see a server paid to account 9; the paid retry reaches one paid to account 7,
    // which refuses the credential and asks again, for itself.
    const other = await startMppxServer(devnet, { recipient: 7 })
    const switching = await listen(async (request, response) => {
      const target = request.headers.authorization === undefined ? mppx.url : other.url
      await proxy(target, () => undefined)(request, response)
    })
    try {
      const { client, signed } = clientFor(6, { protocols: ['mpp'] })
      expect(await codeOf(client.fetch(`${switching.url}/paid`))).toBe('pay_to_changed')
      expect(signed()).toBe(1)
      expect(await transfersOnChain(devnet, payer(6), mppx.recipient)).toEqual([])
      expect(await transfersOnChain(devnet, payer(6), other.recipient)).toEqual([])
    } finally {
      await switching.close()
      await other.close()
    }
  })
})
