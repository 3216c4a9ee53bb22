import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Devnet } from '@tollgate/testkit'
import { erc20Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import type { ClientEvent, CreateClientOptions } from '../src/client/client-types.js'
import { createClient } from '../src/client/create-client.js'
import { TollgateError } from '../src/errors/tollgate-error.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { mppChallengeNonce } from '../src/evm/mpp-challenge-nonce.js'
import { createMemoryLedger } from '../src/ledger/create-memory-ledger.js'
import { buildPaymentChallenge } from '../src/mpp/build-payment-challenge.js'
import { decodePaymentCredential } from '../src/mpp/decode-payment-credential.js'
import { encodeMppChargeRequest } from '../src/mpp/encode-mpp-charge-request.js'
import { encodePaymentReceipt } from '../src/mpp/encode-payment-receipt.js'
import { parseEvmAuthorizationPayload } from '../src/mpp/parse-evm-authorization-payload.js'
import type { MppChallenge, MppCredential } from '../src/mpp/types.js'
import { createFileLedger } from '../src/node/create-file-ledger.js'
import { devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { settleAuthorization } from './support/exact-payment.js'
import { serve } from './support/serve.js'

let devnet: Devnet

beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

type Offer = { amount?: string; recipient?: number; expiresInSeconds?: number }

/**
 * A small MPP merchant on the devnet, built from the codec: it asks `offer(n)` on the n-th 402,
 * settles a credential with `transferWithAuthorization` from account 8, and answers with a
 * `Payment-Receipt`, unless `answer` says to fail (`500`) or to lose the answer (`drop`).
 */
async function mppServer(
  options: { offer?: (unpaid: number) => Offer; answer?: (paid: number) => 'ok' | 500 } = {},
) {
  const credentials: MppCredential[] = []
  const challenges: MppChallenge[] = []
  let unpaid = 0
  const challengeFor = (offer: Offer): MppChallenge => ({
    id: crypto.randomUUID(),
    realm: 'mpp.core.test',
    method: 'evm',
    intent: 'charge',
    request: encodeMppChargeRequest({
      amount: offer.amount ?? '1000',
      currency: devnet.tokens.usdc.address,
      recipient: devnet.accounts[offer.recipient ?? 9]!.address,
      methodDetails: { chainId: devnet.chainId, credentialTypes: ['authorization'], decimals: 6 },
    }),
    expires: new Date(Date.now() + (offer.expiresInSeconds ?? 60) * 1000).toISOString(),
  })
  const ask = () => {
    const challenge = challengeFor(options.offer?.(unpaid++) ?? {})
    challenges.push(challenge)
    return new Response(JSON.stringify({ type: 'https://paymentauth.org/problems/payment-required' }), {
      status: 402,
      headers: {
        'WWW-Authenticate': buildPaymentChallenge(challenge),
        'content-type': 'application/problem+json',
      },
    })
  }
  const server = await serve(async (request) => {
    const header = request.headers.get('Authorization')
    if (header === null) return ask()
    const credential = decodePaymentCredential(header)
    credentials.push(credential)
    if (options.answer?.(credentials.length) === 500) return new Response('busy', { status: 500 })
    const reference = await settleOnce(parseEvmAuthorizationPayload(credential.payload))
    return Response.json(
      { weather: 'sunny' },
      {
        headers: {
          'Payment-Receipt': encodePaymentReceipt({
            status: 'success',
            method: 'evm',
            timestamp: new Date().toISOString(),
            reference,
          }),
        },
      },
    )
  })
  return { ...server, credentials, challenges }
}

// Settles an authorization, or finds the settlement of one already used (the same credential again).
const settled = new Map<string, Hex>()
async function settleOnce(authorization: ReturnType<typeof parseEvmAuthorizationPayload>): Promise<Hex> {
  const known = settled.get(authorization.nonce)
  if (known !== undefined) return known
  const hash = await settleAuthorization(devnet, authorization, authorization.signature as Hex)
  settled.set(authorization.nonce, hash)
  return hash
}

function clientFor(index: number, options: Partial<CreateClientOptions> = {}) {
  const events: ClientEvent[] = []
  const calls = { authorize: 0 }
  const wallet = evmWallet({
    account: privateKeyToAccount(devnet.accounts[index]!.privateKey),
    rpcUrls: { [devnet.network]: devnet.rpcUrl },
    pollingIntervalMs: 20,
  })
  const client = createClient({
    wallets: [
      {
        ...wallet,
        authorize: (input) => {
          calls.authorize++
          return wallet.authorize!(input)
        },
      },
    ],
    registry: devnetRegistry(devnet),
    policy: { budget: '$10' },
    preferences: { protocols: ['mpp'] },
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    onEvent: (event) => events.push(event),
    ...options,
  })
  return { client, events, calls }
}

// Atomic units that left `payer` on chain, from the token's Transfer events.
async function spentOnChain(index: number): Promise<bigint> {
  const events = await devnet.publicClient.getContractEvents({
    address: devnet.tokens.usdc.address,
    abi: erc20Abi,
    eventName: 'Transfer',
    args: { from: devnet.accounts[index]!.address },
    fromBlock: 0n,
  })
  return events.reduce((total, event) => total + (event.args.value ?? 0n), 0n)
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

describe('the client pays MPP evm/charge challenges', () => {
  test('default: reserved, then signed with the challenge-bound nonce, valid until the challenge expires', async () => {
    const server = await mppServer({ offer: () => ({ expiresInSeconds: 45 }) })
    const ledger = createMemoryLedger()
    const { client, events } = clientFor(1, { ledger })
    try {
      const response = await client.fetch(`${server.origin}/weather`)
      expect(response.status).toBe(200)
      const [challenge] = server.challenges
      const [credential] = server.credentials
      expect(credential?.challenge).toEqual(challenge)
      const authorization = parseEvmAuthorizationPayload(credential!.payload)
      expect(authorization.nonce).toBe(mppChallengeNonce(challenge!))
      expect(Number(authorization.validBefore)).toBe(Math.floor(Date.parse(challenge!.expires!) / 1000))
      expect(credential?.source).toBe(`did:pkh:${devnet.network}:${devnet.accounts[1]!.address}`)
      // Budget first, then the record of the quote, then the signature.
      const lifecycle = events.filter((event) => ['reserved', 'signed', 'settled'].includes(event.type))
      expect(lifecycle.map((event) => event.type)).toEqual(['reserved', 'signed', 'settled'])
      expect((await ledger.records()).map((record) => record.type)).toEqual([
        'quote',
        'authorized',
        'accepted',
      ])
      expect(client.paymentFor(response)).toMatchObject({
        scheme: 'mpp',
        transaction: settled.get(authorization.nonce),
      })
      expect(await spentOnChain(1)).toBe(1000n)
    } finally {
      await server.close()
    }
  })

  test('behavior: the authorization lives no longer than maxAuthorizationSeconds, whatever expires says', async () => {
    const server = await mppServer({ offer: () => ({ expiresInSeconds: 86_400 }) })
    const { client } = clientFor(2, { maxAuthorizationSeconds: 30 })
    try {
      const started = Math.floor(Date.now() / 1000)
      expect((await client.fetch(`${server.origin}/weather`)).status).toBe(200)
      const authorization = parseEvmAuthorizationPayload(server.credentials[0]!.payload)
      expect(Number(authorization.validBefore) - started).toBeGreaterThanOrEqual(30)
      expect(Number(authorization.validBefore) - started).toBeLessThanOrEqual(31)
    } finally {
      await server.close()
    }
  })

  test('behavior: a 5xx after the credential resends the same credential; one signature, one transfer', async () => {
    const server = await mppServer({ answer: (paid) => (paid === 1 ? 500 : 'ok') })
    const { client, calls } = clientFor(3)
    try {
      expect((await client.fetch(`${server.origin}/weather`)).status).toBe(200)
      expect(server.credentials).toHaveLength(2)
      expect(server.credentials[1]).toEqual(server.credentials[0])
      expect(calls.authorize).toBe(1)
      expect(await spentOnChain(3)).toBe(1000n)
    } finally {
      await server.close()
    }
  })

  test('behavior: the same request retried after its answer was lost resends the recorded credential', async () => {
    // Every paid answer fails until the client gives up; the next call of the same request is served.
    let failing = true
    const server = await mppServer({ answer: () => (failing ? 500 : 'ok') })
    const { client, calls } = clientFor(4, { retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50 } })
    try {
      expect((await client.fetch(`${server.origin}/weather`)).status).toBe(500)
      failing = false
      expect((await client.fetch(`${server.origin}/weather`)).status).toBe(200)
      expect(calls.authorize).toBe(1)
      expect(new Set(server.credentials.map((credential) => JSON.stringify(credential))).size).toBe(1)
      expect(await spentOnChain(4)).toBe(1000n)
    } finally {
      await server.close()
    }
  })
})

describe('a durable ledger keeps an MPP payment across a restart', () => {
  test('behavior: a new client on the same file resends the recorded credential; one signature, one transfer', async () => {
    let failing = true
    const server = await mppServer({ answer: () => (failing ? 500 : 'ok') })
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-mpp-'))
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }))
    const path = join(directory, 'ledger.jsonl')
    const spentBefore = await spentOnChain(2)
    try {
      const first = createFileLedger({ path })
      const before = clientFor(2, {
        ledger: first,
        retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50 },
      })
      expect((await before.client.fetch(`${server.origin}/weather`)).status).toBe(500)
      await first.close()
      failing = false
      const second = createFileLedger({ path })
      const after = clientFor(2, { ledger: second })
      const response = await after.client.fetch(`${server.origin}/weather`)
      await second.close()
      expect(response.status).toBe(200)
      expect(after.client.paymentFor(response)).toMatchObject({ scheme: 'mpp', reused: true })
      expect(before.calls.authorize + after.calls.authorize).toBe(1)
      expect(new Set(server.credentials.map((credential) => JSON.stringify(credential))).size).toBe(1)
      expect((await spentOnChain(2)) - spentBefore).toBe(1000n)
    } finally {
      await server.close()
    }
  })
})

describe('the spending policy governs MPP as it does x402', () => {
  test('error: a denied domain, a declined approval, a cap and a rate limit refuse before any signature', async () => {
    const server = await mppServer()
    const before = await spentOnChain(6)
    try {
      const denied = clientFor(6, { policy: { budget: '$10', allowedDomains: ['example.com'] } })
      expect(await codeOf(denied.client.fetch(`${server.origin}/weather`))).toBe('policy_denied_domain')
      const declined = clientFor(6, {
        policy: { budget: '$10', requireApprovalAbove: '$0', approve: () => false },
      })
      expect(await codeOf(declined.client.fetch(`${server.origin}/weather`))).toBe('policy_approval_declined')
      const capped = clientFor(6, { policy: { budget: '$10', perCall: '0.0001 USDC' } })
      expect(await codeOf(capped.client.fetch(`${server.origin}/weather`))).toBe('policy_per_call_exceeded')
      for (const { calls } of [denied, declined, capped]) expect(calls.authorize).toBe(0)
      expect(server.credentials).toEqual([])
      expect(await spentOnChain(6)).toBe(before)
    } finally {
      await server.close()
    }
  })

  test('error: the rate limit counts MPP payments: the second is refused before it is signed', async () => {
    const server = await mppServer()
    const { client, calls } = clientFor(5, {
      policy: { budget: '$10', rateLimit: { payments: 1, perSeconds: 3600 } },
    })
    try {
      expect((await client.fetch(`${server.origin}/weather`)).status).toBe(200)
      expect(await codeOf(client.fetch(`${server.origin}/weather`))).toBe('policy_rate_limited')
      expect(calls.authorize).toBe(1)
      expect(server.credentials).toHaveLength(1)
      expect(await spentOnChain(5)).toBe(1000n)
    } finally {
      await server.close()
    }
  })

  test('behavior: the approval callback sees the MPP quote with its amount and recipient', async () => {
    const server = await mppServer()
    const quotes: unknown[] = []
    const { client } = clientFor(6, {
      policy: {
        budget: '$10',
        requireApprovalAbove: '$0',
        approve: (payment) => {
          quotes.push(payment)
          return true
        },
      },
    })
    try {
      expect((await client.fetch(`${server.origin}/weather`)).status).toBe(200)
      expect(quotes).toEqual([
        expect.objectContaining({ scheme: 'mpp', amount: 1000n, payTo: devnet.accounts[9]!.address }),
      ])
    } finally {
      await server.close()
    }
  })

  test('error: a refusal whose fresh challenge pays someone else is pay_to_changed; nothing more is signed', async () => {
    // The first 402 pays account 9, every later one account 7.
    const server = await mppServer({ offer: (unpaid) => (unpaid === 0 ? {} : { recipient: 7 }) })
    const { client, calls } = clientFor(7)
    const refusing = await serve(async (request) => {
      const upstream = await fetch(`${server.origin}${new URL(request.url).pathname}`, {
        // The paid retry is answered as an unpaid request: a 402 with the next challenge.
        headers: {},
      })
      return new Response(upstream.body, { status: upstream.status, headers: upstream.headers })
    })
    try {
      expect(await codeOf(client.fetch(`${refusing.origin}/weather`))).toBe('pay_to_changed')
      expect(calls.authorize).toBe(1)
      expect(await spentOnChain(7)).toBe(0n)
    } finally {
      await refusing.close()
      await server.close()
    }
  })
})
