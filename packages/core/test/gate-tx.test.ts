import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Devnet } from '@tollgate/testkit'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import type { CreateGateOptions, GateDecision, GateRejected } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import {
  balanceOf,
  devnetRegistry,
  oneEther,
  proofHeader,
  startDevnet,
  transfer,
} from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'

const SECRET = 'test-secret-test-secret-test-secret-0001'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: Devnet
let payTo: Address

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})

function makeGate(overrides: Partial<CreateGateOptions> = {}) {
  return createGate({
    logger: quietLogger,
    routes: {
      'GET /api/search': { price: '$0.001', description: 'Search' },
      'POST /api/post': { price: '$0.30' },
      'GET /api/wide': { price: '$0.25' },
      'GET /api/native': { price: '0.001 ETH' },
      'GET /api/slow': { price: '$0.01', confirmations: 3 },
      'GET /api/dynamic/:size': {
        price: (request) => {
          const size = new URL(request.url).pathname.split('/').pop()
          return size === 'free' ? null : size === 'large' ? '$0.05' : '$0.01'
        },
      },
      'POST /api/pass': { price: '$1', pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] } },
    },
    payTo,
    networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: devnet.rpcUrl, assets: ['USDC', 'native'] })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    ...overrides,
  })
}

function request(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Request(`${ORIGIN}${path}`, { method, headers })
}

async function challenge(gate: ReturnType<typeof makeGate>, path: string, method = 'GET', asset?: string) {
  const decision = await gate.check(request(path, {}, method))
  expect(decision.outcome).toBe('rejected')
  const response = (decision as GateRejected).response
  expect(response.status).toBe(402)
  const paymentRequired = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  const wanted = asset ?? devnet.tokens.usdc.address
  const requirements = paymentRequired.accepts.find(
    (entry) => entry.scheme === 'tx' && entry.asset.toLowerCase() === wanted.toLowerCase(),
  )
  expect(requirements).toBeDefined()
  return requirements as PaymentRequirements
}

async function rejection(decision: GateDecision) {
  expect(decision.outcome).toBe('rejected')
  const response = (decision as GateRejected).response
  return {
    status: response.status,
    body: (await response.json()) as { error: string; message: string },
    response,
  }
}

async function pay(
  gate: ReturnType<typeof makeGate>,
  path: string,
  options: { from?: number; method?: string } = {},
) {
  const from = options.from ?? 0
  const requirements = await challenge(gate, path, options.method)
  const paid = await transfer(devnet, { from, to: payTo, amount: BigInt(requirements.amount) })
  const header = await proofHeader(devnet, {
    signer: from,
    requirements,
    hash: paid.hash,
    blockNumber: paid.blockNumber,
  })
  return { requirements, paid, header }
}

describe('gate with tx proofs on a real chain', () => {
  test('default: unpaid -> 402 with a valid PAYMENT-REQUIRED the official client parses', async () => {
    const gate = makeGate()
    const decision = await gate.check(request('/api/search'))
    const { status, body, response } = await rejection(decision)
    expect(status).toBe(402)
    expect(body.error).toBe('payment_required')
    const header = response.headers.get('PAYMENT-REQUIRED')!
    const official = new x402HTTPClient(new x402Client()).getPaymentRequiredResponse((name) =>
      name.toUpperCase() === 'PAYMENT-REQUIRED' ? header : null,
    )
    expect(official.resource).toEqual({ url: `${ORIGIN}/api/search`, description: 'Search' })
    expect(official.accepts.map((entry) => [entry.scheme, entry.asset, entry.amount])).toEqual([
      ['tx', devnet.tokens.usdc.address, '1000'],
    ])
    expect(official.accepts[0]?.extra).toMatchObject({ confirmations: 1, challenge: expect.any(String) })
  })

  test('default: free routes pass through', async () => {
    expect(await makeGate().check(request('/health'))).toEqual({ outcome: 'free' })
  })

  test('behavior: paid -> admitted, balances moved on chain, PAYMENT-RESPONSE names the transaction', async () => {
    const gate = makeGate()
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const { header, paid } = await pay(gate, '/api/post', { method: 'POST' })
    const decision = await gate.check(request('/api/post', { 'PAYMENT-SIGNATURE': header }, 'POST'))
    expect(decision.outcome).toBe('paid')
    if (decision.outcome !== 'paid') return
    expect(decision.receipt).toMatchObject({
      method: 'payment',
      scheme: 'tx',
      route: 'POST /api/post',
      amount: '300000',
      payer: devnet.accounts[0]!.address,
      transaction: paid.hash,
    })
    expect(decodePaymentResponseHeader(decision.headers.get('PAYMENT-RESPONSE')!)).toEqual({
      success: true,
      transaction: paid.hash,
      network: 'eip155:31337',
      payer: devnet.accounts[0]!.address,
    })
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(300_000n)
  })

  test('behavior: native coin payments', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/native', 'GET', 'native')
    expect(requirements.amount).toBe(String(oneEther / 1000n))
    const paid = await transfer(devnet, {
      from: 1,
      to: payTo,
      amount: BigInt(requirements.amount),
      token: 'native',
    })
    const header = await proofHeader(devnet, {
      signer: 1,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    const decision = await gate.check(request('/api/native', { 'PAYMENT-SIGNATURE': header }))
    expect(decision.outcome).toBe('paid')
  })

  test('behavior: a wrong block-number hint costs a round trip, not the payment', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, { from: 2, to: payTo, amount: 1000n })
    const header = await proofHeader(devnet, {
      signer: 2,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber - 1n,
    })
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe('paid')
  })

  test('behavior: a 20-digit block-number hint the node refuses costs one round trip, not the payment', async () => {
    // A node that answers an error for blocks it cannot have, as some do, failing the whole batch.
    const batches: string[][] = []
    const proxy = createServer(async (incoming, outgoing) => {
      const chunks: Buffer[] = []
      for await (const chunk of incoming) chunks.push(chunk as Buffer)
      const calls = JSON.parse(Buffer.concat(chunks).toString()) as {
        id: number
        method: string
        params: unknown[]
      }[]
      const list = Array.isArray(calls) ? calls : [calls]
      batches.push(list.map((call) => call.method))
      const refused = list.some(
        (call) => call.method === 'eth_getBlockByNumber' && BigInt(call.params[0] as string) > 1_000_000n,
      )
      const answer = refused
        ? list.map((call) => ({
            jsonrpc: '2.0',
            id: call.id,
            error: { code: -32602, message: 'block out of range' },
          }))
        : await (
            await fetch(devnet.rpcUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: Buffer.concat(chunks),
            })
          ).json()
      outgoing.writeHead(200, { 'content-type': 'application/json' })
      outgoing.end(JSON.stringify(answer))
    })
    proxy.listen(0, '127.0.0.1')
    await once(proxy, 'listening')
    try {
      const rpcUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
      const gate = makeGate({
        networks: [evmNetwork({ network: 'eip155:31337', rpcUrl, assets: ['USDC', 'native'] })],
      })
      const requirements = await challenge(gate, '/api/search')
      const paid = await transfer(devnet, { from: 3, to: payTo, amount: 1000n })
      const header = await proofHeader(devnet, {
        signer: 3,
        requirements,
        hash: paid.hash,
        blockNumber: 10_000_000_000_000_000_000n,
      })
      expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe('paid')
      // The hint never reached the node: above 2^53 - 1 it is dropped unsent.
      expect(batches.flat().filter((method) => method === 'eth_getBlockByNumber')).toEqual([])

      // A plausible hint the node refuses: the batch is asked again without it, once.
      const second = await challenge(gate, '/api/search')
      const again = await transfer(devnet, { from: 4, to: payTo, amount: 1000n })
      const hinted = await proofHeader(devnet, {
        signer: 4,
        requirements: second,
        hash: again.hash,
        blockNumber: 2n ** 40n,
      })
      batches.length = 0
      expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': hinted }))).outcome).toBe('paid')
      expect(batches.flat().filter((method) => method === 'eth_getBlockByNumber')).toEqual([
        'eth_getBlockByNumber',
      ])
    } finally {
      proxy.closeAllConnections()
      proxy.close()
    }
  })

  test('error: replaying a proof in flight is 409 payment_in_progress; once served, 402 payment_already_used', async () => {
    const gate = makeGate()
    const { header } = await pay(gate, '/api/search')
    const decision = await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))
    expect(decision.outcome).toBe('paid')
    const during = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect([during.status, during.body.error]).toEqual([409, 'payment_in_progress'])
    expect(during.response.headers.get('retry-after')).toBe('1')
    if (decision.outcome === 'paid') await decision.complete(200)
    const replay = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect(replay.status).toBe(402)
    expect(replay.body.error).toBe('payment_already_used')
  })

  test('error: 50 concurrent requests with one proof -> exactly one is admitted', async () => {
    const gate = makeGate()
    const { header } = await pay(gate, '/api/search')
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))),
    )
    expect(decisions.filter((decision) => decision.outcome === 'paid')).toHaveLength(1)
    const codes = await Promise.all(
      decisions
        .filter((decision) => decision.outcome === 'rejected')
        .map(async (decision) => (await rejection(decision)).body.error),
    )
    // None was served yet: every duplicate is told the payment is in flight, not spent.
    expect(new Set(codes)).toEqual(new Set(['payment_in_progress']))
  })

  test('error: wrong recipient', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, { from: 0, to: devnet.accounts[8]!.address, amount: 1000n })
    const header = await proofHeader(devnet, {
      signer: 0,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    expect(
      (await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))).body.error,
    ).toBe('verify_recipient_mismatch')
  })

  test('error: short amount', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, { from: 0, to: payTo, amount: 999n })
    const header = await proofHeader(devnet, {
      signer: 0,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    const { body } = await rejection(
      await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })),
    )
    expect(body).toMatchObject({
      error: 'verify_amount_insufficient',
      message: 'The transfer paid 999 atomic units; 1000 are required.',
    })
  })

  test('error: the right amount of a different token', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, {
      from: 0,
      to: payTo,
      amount: 1000n,
      token: devnet.tokens.usdc18.address,
    })
    const header = await proofHeader(devnet, {
      signer: 0,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    expect(
      (await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))).body.error,
    ).toBe('verify_asset_mismatch')
  })

  test('error: a transfer in a reverted transaction', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    // Account 3 sends more than it holds: the token reverts, but the transaction is mined.
    const wallet = devnet.walletClient(3)
    const hash = await wallet.writeContract({
      address: devnet.tokens.usdc.address,
      abi: [
        {
          type: 'function',
          name: 'transfer',
          stateMutability: 'nonpayable',
          inputs: [
            { name: 'to', type: 'address' },
            { name: 'value', type: 'uint256' },
          ],
          outputs: [{ type: 'bool' }],
        },
      ],
      functionName: 'transfer',
      args: [payTo, 10n ** 30n],
      chain: devnet.chain,
      account: wallet.account!,
      gas: 100_000n,
    })
    const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    expect(receipt.status).toBe('reverted')
    const header = await proofHeader(devnet, {
      signer: 3,
      requirements,
      hash,
      blockNumber: receipt.blockNumber,
    })
    expect(
      (await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))).body.error,
    ).toBe('verify_tx_failed')
  })

  test('error: unconfirmed, then admitted with the same proof once confirmed', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/slow')
    expect(requirements.extra.confirmations).toBe(3)
    const paid = await transfer(devnet, { from: 4, to: payTo, amount: BigInt(requirements.amount) })
    const header = await proofHeader(devnet, {
      signer: 4,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    const early = await rejection(await gate.check(request('/api/slow', { 'PAYMENT-SIGNATURE': header })))
    expect(early.body.error).toBe('verify_unconfirmed')
    expect(early.response.headers.get('retry-after')).toBe('4')
    await devnet.mine(2)
    expect((await gate.check(request('/api/slow', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe('paid')
  })

  test('error: outside the acceptance window', async () => {
    const requirements = await challenge(makeGate(), '/api/search')
    const paid = await transfer(devnet, { from: 5, to: payTo, amount: 1000n })
    // The gate's clock is two hours ahead of the block; its window is one hour.
    const later = makeGate({ now: () => Date.now() + 2 * 3600_000 })
    const fresh = await challenge(later, '/api/search')
    const header = await proofHeader(devnet, {
      signer: 5,
      requirements: fresh,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    expect(requirements.amount).toBe(fresh.amount)
    expect(
      (await rejection(await later.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))).body
        .error,
    ).toBe('verify_outside_window')
  })

  test('error: another chain', async () => {
    const other = await startDevnet({ chainId: 31338 })
    try {
      const gate = makeGate()
      const requirements = await challenge(gate, '/api/search')
      // Paid on chain 31338 but proven to a gate on 31337: the transaction is not on this chain.
      const paid = await transfer(other, { from: 0, to: payTo, amount: 1000n })
      const header = await proofHeader(devnet, {
        signer: 0,
        requirements,
        hash: paid.hash,
        blockNumber: paid.blockNumber,
      })
      expect(
        (await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))).body
          .error,
      ).toMatch(/verify_tx_not_found|verify_recipient_mismatch|verify_asset_mismatch/)
      // Claiming the payment was made on another network is refused before any RPC.
      const mislabeled = await proofHeader(devnet, {
        signer: 0,
        requirements: { ...requirements, network: 'eip155:31338' },
        hash: paid.hash,
      })
      expect(
        (await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': mislabeled })))).body
          .error,
      ).toBe('requirements_mismatch')
      // A gate whose RPC serves the wrong chain fails closed.
      const misconfigured = makeGate({
        networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: other.rpcUrl, assets: ['USDC', 'native'] })],
      })
      const fresh = await challenge(misconfigured, '/api/search')
      const proof = await proofHeader(devnet, {
        signer: 0,
        requirements: fresh,
        hash: paid.hash,
        blockNumber: paid.blockNumber,
      })
      const refused = await rejection(
        await misconfigured.check(request('/api/search', { 'PAYMENT-SIGNATURE': proof })),
      )
      expect(refused.status).toBe(503)
      expect(refused.body.error).toBe('rpc_unavailable')
    } finally {
      await other.stop()
    }
  })

  test('error: a proof presented by someone other than the payer is refused, and the payer can still use it', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, { from: 6, to: payTo, amount: 1000n })
    // A watcher of the recipient's address sees the hash and signs a proof with its own key.
    const stolen = await proofHeader(devnet, {
      signer: 7,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    expect(
      (await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': stolen })))).body.error,
    ).toBe('verify_payer_mismatch')
    const genuine = await proofHeader(devnet, {
      signer: 6,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': genuine }))).outcome).toBe('paid')
  })

  test('error: forged, expired, tampered and misbound challenges', async () => {
    let clock = Date.now()
    const gate = makeGate({ now: () => clock })
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, { from: 0, to: payTo, amount: 1000n })
    const send = async (challengeToken: string, route = '/api/search', accepted = requirements) => {
      const header = await proofHeader(devnet, {
        signer: 0,
        requirements: accepted,
        hash: paid.hash,
        blockNumber: paid.blockNumber,
        challenge: challengeToken,
      })
      return (await rejection(await gate.check(request(route, { 'PAYMENT-SIGNATURE': header })))).body.error
    }
    const token = requirements.extra.challenge as string
    expect(await send('forged.challenge')).toBe('challenge_malformed')
    const forger = makeGate({ secret: 'another-secret-another-secret-another-00' })
    const forged = (await challenge(forger, '/api/search')).extra.challenge as string
    expect(await send(forged)).toBe('challenge_invalid')
    const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11)
    expect(await send(flipped)).toMatch(/challenge_(invalid|malformed)/)
    const postChallenge = (await challenge(gate, '/api/post', 'POST')).extra.challenge as string
    expect(await send(postChallenge)).toBe('challenge_mismatch')
    clock += 400_000
    expect(await send(token)).toBe('challenge_expired')
  })

  test('behavior: passes are sold, then accepted with no payment, within scope and lifetime', async () => {
    let clock = Date.now()
    const gate = makeGate({ now: () => clock })
    const { header } = await pay(gate, '/api/pass', { method: 'POST' })
    const decision = await gate.check(request('/api/pass', { 'PAYMENT-SIGNATURE': header }, 'POST'))
    if (decision.outcome !== 'paid') throw new Error(`expected paid, got ${decision.outcome}`)
    const pass = decodePaymentResponseHeader(decision.headers.get('PAYMENT-RESPONSE')!).extensions?.pass as {
      token: string
      expiresAt: number
      scope: { routes: string[]; origin: string }
    }
    expect(pass.scope).toEqual({ routes: ['GET /api/search'], origin: ORIGIN })
    expect(pass.expiresAt).toBe(Math.floor(clock / 1000) + 86_400)
    const withPass = await gate.check(request('/api/search', { 'X-Payment-Pass': pass.token }))
    expect(withPass).toMatchObject({
      outcome: 'paid',
      receipt: { method: 'pass', payer: devnet.accounts[0]!.address },
    })

    const outOfScope = await rejection(
      await gate.check(request('/api/post', { 'X-Payment-Pass': pass.token }, 'POST')),
    )
    expect([outOfScope.status, outOfScope.body.error]).toEqual([402, 'pass_scope_mismatch'])
    const tampered = pass.token.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))
    expect(
      (await rejection(await gate.check(request('/api/search', { 'X-Payment-Pass': tampered })))).body.error,
    ).toMatch(/pass_(signature_invalid|malformed)/)
    clock += 86_400_000 + 60_000
    const expired = await rejection(
      await gate.check(request('/api/search', { 'X-Payment-Pass': pass.token })),
    )
    expect([expired.status, expired.body.error]).toEqual([402, 'pass_expired'])
    expect(expired.response.headers.get('PAYMENT-REQUIRED')).toBeTruthy()
  })

  test('behavior: revoked passes and passes with limited uses', async () => {
    const gate = makeGate({
      passes: { checkRevocation: true },
      routes: { 'GET /api/search': { price: '$0.01', pass: { ttlSeconds: 60, uses: 2 } } },
    })
    const { header } = await pay(gate, '/api/search')
    const decision = await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))
    if (decision.outcome !== 'paid') throw new Error('expected paid')
    const token = decision.receipt.pass!.token
    expect((await gate.check(request('/api/search', { 'X-Payment-Pass': token }))).outcome).toBe('paid')
    expect((await gate.check(request('/api/search', { 'X-Payment-Pass': token }))).outcome).toBe('paid')
    expect(
      (await rejection(await gate.check(request('/api/search', { 'X-Payment-Pass': token })))).body.error,
    ).toBe('pass_uses_exhausted')
    const other = await pay(gate, '/api/search', { from: 1 })
    const second = await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': other.header }))
    if (second.outcome !== 'paid') throw new Error('expected paid')
    const [payload] = second.receipt.pass!.token.split('.')
    const { jti, exp } = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      jti: string
      exp: number
    }
    await gate.revokePass({ jti, exp })
    expect(
      (
        await rejection(
          await gate.check(request('/api/search', { 'X-Payment-Pass': second.receipt.pass!.token })),
        )
      ).body.error,
    ).toBe('pass_revoked')
  })

  test('error: RPC down -> 503 with Retry-After, never admitted', async () => {
    const gate = makeGate({
      networks: [
        evmNetwork({
          network: 'eip155:31337',
          rpcUrl: 'http://127.0.0.1:9',
          assets: ['USDC', 'native'],
          rpcTimeoutMs: 500,
        }),
      ],
    })
    const requirements = await challenge(gate, '/api/search')
    const paid = await transfer(devnet, { from: 0, to: payTo, amount: 1000n })
    const header = await proofHeader(devnet, {
      signer: 0,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    const down = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect([down.status, down.body.error]).toEqual([503, 'rpc_unavailable'])
    expect(Number(down.response.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  test('error: oversized or malformed headers -> 400 with a code', async () => {
    const gate = makeGate()
    const cases: [Record<string, string>, string][] = [
      [{ 'PAYMENT-SIGNATURE': 'A'.repeat(10_000) }, 'header_too_large'],
      [{ 'PAYMENT-SIGNATURE': 'not base64' }, 'header_malformed'],
      [{ 'PAYMENT-SIGNATURE': btoa('{"x402Version":2}') }, 'invalid_payload'],
      [{ 'PAYMENT-SIGNATURE': btoa('{"x402Version":7,"accepted":{},"payload":{}}') }, 'invalid_x402_version'],
      [{ 'X-Payment-Pass': 'x'.repeat(5000) }, 'pass_malformed'],
    ]
    for (const [headers, code] of cases) {
      const { status, body } = await rejection(await gate.check(request('/api/search', headers)))
      expect([status, body.error]).toEqual([code === 'pass_malformed' ? 400 : 400, code])
    }
  })

  test('behavior: an 18-decimal asset is priced from $ exactly', async () => {
    const gate = makeGate({
      networks: [
        evmNetwork({ network: 'eip155:31337', rpcUrl: devnet.rpcUrl, assets: ['USDC18', 'native'] }),
      ],
    })
    const requirements = await challenge(gate, '/api/search', 'GET', devnet.tokens.usdc18.address)
    expect(requirements.amount).toBe('1000000000000000')
    const paid = await transfer(devnet, {
      from: 0,
      to: payTo,
      amount: 10n ** 15n,
      token: devnet.tokens.usdc18.address,
    })
    const header = await proofHeader(devnet, {
      signer: 0,
      requirements,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe('paid')
  })

  test('behavior: dynamic prices, including free requests', async () => {
    const gate = makeGate()
    expect(await gate.check(request('/api/dynamic/free'))).toEqual({ outcome: 'free' })
    expect((await challenge(gate, '/api/dynamic/large')).amount).toBe('50000')
    const small = await challenge(gate, '/api/dynamic/small')
    const paid = await transfer(devnet, { from: 0, to: payTo, amount: 10_000n })
    const header = await proofHeader(devnet, {
      signer: 0,
      requirements: small,
      hash: paid.hash,
      blockNumber: paid.blockNumber,
    })
    // The proof names the small price: presenting it for the large item is refused.
    expect(
      (await rejection(await gate.check(request('/api/dynamic/large', { 'PAYMENT-SIGNATURE': header })))).body
        .error,
    ).toBe('requirements_mismatch')
    expect((await gate.check(request('/api/dynamic/small', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe(
      'paid',
    )
  })

  test('behavior: a handler that fails with 5xx releases the proof for a retry; once served, the same proof gets the kept response', async () => {
    const gate = makeGate()
    const { header } = await pay(gate, '/api/search')
    let calls = 0
    const handler = async () => {
      calls++
      return calls === 1 ? new Response('boom', { status: 500 }) : Response.json({ results: [] })
    }
    const first = await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)
    expect(first.status).toBe(500)
    const second = await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)
    expect(second.status).toBe(200)
    expect(second.headers.get('PAYMENT-RESPONSE')).toBeTruthy()
    const third = await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)
    expect(third.status).toBe(200)
    expect(third.headers.get('payment-replay')).toBe('true')
    expect(await third.json()).toEqual({ results: [] })
    // With replay off, the spent proof is refused.
    const off = makeGate({ replay: { maxBodyBytes: 0 } })
    const spent = (await pay(off, '/api/search')).header
    const handle = () => off.handle(request('/api/search', { 'PAYMENT-SIGNATURE': spent }), handler)
    expect((await handle()).status).toBe(200)
    expect((await handle()).status).toBe(402)
    expect(calls).toBe(3)
  })

  test('behavior: gate.handle, a handler that throws -> 500 service_failed saying the proof is retryable', async () => {
    const warnings: unknown[] = []
    const gate = makeGate({ logger: { warn: (_message, error) => warnings.push(error) } })
    const { header } = await pay(gate, '/api/pass', { method: 'POST' })
    let calls = 0
    const handler = async () => {
      calls++
      if (calls === 1) throw new Error('database down')
      return Response.json({ ok: true })
    }
    const failed = await gate.handle(request('/api/pass', { 'PAYMENT-SIGNATURE': header }, 'POST'), handler)
    expect([failed.status, ((await failed.json()) as { error: string }).error]).toEqual([
      500,
      'service_failed',
    ])
    const failure = decodePaymentResponseHeader(failed.headers.get('PAYMENT-RESPONSE')!)
    expect(failure).toMatchObject({
      success: false,
      errorReason: 'service_failed',
      extensions: { retryable: true },
    })
    expect(failure.extensions?.pass).toBeUndefined()
    expect(warnings.filter((error) => error !== undefined)).toEqual([new Error('database down')])
    const retried = await gate.handle(request('/api/pass', { 'PAYMENT-SIGNATURE': header }, 'POST'), handler)
    expect(retried.status).toBe(200)
    expect(
      decodePaymentResponseHeader(retried.headers.get('PAYMENT-RESPONSE')!).extensions?.pass,
    ).toBeDefined()
    expect(calls).toBe(2)
  })

  test('behavior: gate.handle, a requester gone before the handler starts -> not run, proof still usable', async () => {
    const gate = makeGate()
    const { header } = await pay(gate, '/api/search')
    let calls = 0
    const handler = async () => {
      calls++
      return Response.json({ results: [] })
    }
    const gone = new AbortController()
    gone.abort()
    const abandoned = await gate.handle(
      new Request(`${ORIGIN}/api/search`, { headers: { 'PAYMENT-SIGNATURE': header }, signal: gone.signal }),
      handler,
    )
    expect(abandoned.status).not.toBe(200)
    expect(calls).toBe(0)
    const retried = await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)
    expect(retried.status).toBe(200)
    expect(calls).toBe(1)
  })
})
