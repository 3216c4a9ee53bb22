import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Devnet } from '@tollgate/testkit'
import { x402Client } from '@x402/core/client'
import { HTTPFacilitatorClient } from '@x402/core/server'
import type { PaymentRequired as OfficialPaymentRequired } from '@x402/core/types'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { type Address, erc20Abi, type Hex, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEvmExactScheme, type EvmExactScheme } from '../src/evm/create-evm-exact-scheme.js'
import { createFacilitator, type Facilitator } from '../src/evm/create-facilitator.js'
import { createFacilitatorClient } from '../src/evm/create-facilitator-client.js'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import type { ExactInput } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { exactHeader, signExactPayload, usdcRequirements } from './support/exact-payment.js'
import { quietLogger } from './support/quiet-logger.js'

const SECRET = 'test-secret-test-secret-test-secret-0003'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: Devnet
let payTo: Address
let settler: LocalAccount
let payer: LocalAccount
let scheme: EvmExactScheme
let facilitator: Facilitator
let server: Server
let url: string

/** A node:http adapter for a web-standard handler: the one piece a real deployment adds. */
function listen(handler: (request: Request) => Promise<Response>): Promise<Server> {
  const created = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD'
    const response = await handler(
      new Request(`http://127.0.0.1${incoming.url}`, {
        method: incoming.method ?? 'GET',
        headers: incoming.headers as Record<string, string>,
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      }),
    )
    outgoing.writeHead(response.status, Object.fromEntries(response.headers))
    outgoing.end(Buffer.from(await response.arrayBuffer()))
  })
  return new Promise((resolve) => created.listen(0, '127.0.0.1', () => resolve(created)))
}

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
  settler = privateKeyToAccount(devnet.accounts[8]!.privateKey)
  payer = privateKeyToAccount(devnet.accounts[1]!.privateKey)
  scheme = createEvmExactScheme({ rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, settler })
  facilitator = createFacilitator({ schemes: { [devnet.network]: scheme }, registry: devnetRegistry(devnet) })
  server = await listen((request) => facilitator.fetch(request))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/facilitator`
})
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await devnet?.stop()
})

function requirementsFor(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return { ...usdcRequirements(devnet, payTo), ...overrides }
}

function gateWithFacilitator() {
  let runs = 0
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': { price: '$0.01' } },
    payTo,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        tx: false,
        assets: ['USDC'],
        exact: createFacilitatorClient({ url }),
      }),
    ],
    secret: SECRET,
    registry: devnetRegistry(devnet),
  })
  const serve = (header?: string, handler?: () => Promise<Response>) =>
    gate.handle(
      new Request(`${ORIGIN}/api/search`, {
        headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
      }),
      async () => {
        runs++
        return handler ? handler() : Response.json({ ok: true })
      },
    )
  return { serve, runs: () => runs }
}

async function requirementsOf(serve: (header?: string) => Promise<Response>): Promise<PaymentRequirements> {
  const response = await serve()
  return decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).accepts[0]!
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

describe('createFacilitatorClient -> createFacilitator over HTTP', () => {
  test('default: a gate paid through our facilitator is settled on chain', async () => {
    const { serve, runs } = gateWithFacilitator()
    const accepted = await requirementsOf(serve)
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const response = await serve(
      exactHeader(accepted, await signExactPayload({ devnet, signer: payer, requirements: accepted })),
    )
    expect(response.status).toBe(200)
    expect(runs()).toBe(1)
    const settled = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settled).toMatchObject({ success: true, payer: payer.address, network: devnet.network })
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: settled.transaction as Hex })
    expect(receipt.from.toLowerCase()).toBe(settler.address.toLowerCase())
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(10_000n)
  })

  test('error: the facilitator reason code reaches the payer (bad signature), the handler never runs', async () => {
    const { serve, runs } = gateWithFacilitator()
    const accepted = await requirementsOf(serve)
    const payload = await signExactPayload({
      devnet,
      signer: privateKeyToAccount(devnet.accounts[2]!.privateKey),
      from: payer.address,
      requirements: accepted,
    })
    const response = await serve(exactHeader(accepted, payload))
    expect(response.status).toBe(402)
    expect(await response.json()).toMatchObject({ error: 'invalid_exact_evm_payload_signature' })
    expect(runs()).toBe(0)
  })

  test('error: a failed settlement through the facilitator withholds the response and frees the authorization', async () => {
    const spender = privateKeyToAccount(devnet.accounts[4]!.privateKey)
    const { serve } = gateWithFacilitator()
    const accepted = await requirementsOf(serve)
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: spender, requirements: accepted }),
    )
    const balance = await balanceOf(devnet, devnet.tokens.usdc.address, spender.address)
    const response = await serve(header, async () => {
      const hash = await devnet.walletClient(4).writeContract({
        address: devnet.tokens.usdc.address,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [devnet.accounts[0]!.address, balance],
      })
      await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
      return Response.json({ secret: 'paid content' })
    })
    expect(response.status).toBe(402)
    expect(await response.text()).not.toContain('paid content')
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: false,
      errorReason: 'insufficient_funds',
    })
    // The facilitator said nothing was broadcast, so the claim was released: once refunded, it pays.
    await devnet.mint('usdc', spender.address, 10_000n)
    expect((await serve(header)).status).toBe(200)
  })

  test('error: a facilitator that is down or answers garbage fails closed', async () => {
    const closed = await listen(async () => new Response())
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const down = createFacilitatorClient({ url: `http://127.0.0.1:${port}` })
    const broken = createFacilitatorClient({
      url,
      fetch: async () => new Response('<html>oops</html>', { status: 500 }),
    })
    const paid: ExactInput = {
      payload: await signExactPayload({ devnet, signer: payer, requirements: requirementsFor() }),
      requirements: requirementsFor(),
      asset: devnetRegistry(devnet).asset(devnet.network, 'USDC'),
    }
    await expect(down.verify(paid)).rejects.toMatchObject({ code: 'rpc_unavailable', retryAfter: 2 })
    await expect(down.settle(paid)).rejects.toMatchObject({
      code: 'facilitator_error',
      details: { settled: false },
    })
    await expect(broken.verify(paid)).rejects.toMatchObject({ code: 'facilitator_error' })
    const brokenSettle = await broken.settle(paid).catch((error: unknown) => error)
    expect(brokenSettle).toMatchObject({ code: 'facilitator_error' })
    expect((brokenSettle as { details?: unknown }).details).toBeUndefined()
  })
})

describe('createFacilitator with the official @x402/core HTTPFacilitatorClient', () => {
  const official = () => new HTTPFacilitatorClient({ url })
  const officialPayload = async (requirements: PaymentRequirements) => {
    const client = new x402Client().register('eip155:*', new ExactEvmScheme(payer)).setSpendControls(false)
    const required: OfficialPaymentRequired = {
      x402Version: 2,
      resource: { url: `${ORIGIN}/api/search` },
      accepts: [requirements as OfficialPaymentRequired['accepts'][number]],
    }
    return client.createPaymentPayload(required)
  }

  test('default: /supported lists the exact kind and the settler', async () => {
    const supported = await official().getSupported()
    expect(supported.kinds).toEqual([{ x402Version: 2, scheme: 'exact', network: devnet.network }])
    expect(supported.signers).toEqual({ 'eip155:*': [settler.address] })
    expect(supported.extensions).toEqual([])
  })

  test('behavior: a payload made by the official client is valid and settled on anvil', async () => {
    const requirements = requirementsFor()
    const payload = await officialPayload(requirements)
    const facilitatorClient = official()
    const verified = await facilitatorClient.verify(payload, requirements)
    expect(verified).toMatchObject({ isValid: true, payer: payer.address })
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const settled = await facilitatorClient.settle(payload, requirements)
    expect(settled).toMatchObject({ success: true, network: devnet.network, payer: payer.address })
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: settled.transaction as Hex })
    expect(receipt.status).toBe('success')
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(10_000n)
    // Replayed: the chain remembers the nonce.
    expect(await facilitatorClient.verify(payload, requirements)).toMatchObject({
      isValid: false,
      invalidReason: 'invalid_exact_evm_nonce_already_used',
    })
  })

  test('behavior: concurrent duplicate /settle of one authorization -> one settlement, the rest refused', async () => {
    const requirements = requirementsFor()
    const payload = await officialPayload(requirements)
    const facilitatorClient = official()
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const results = await Promise.all(
      Array.from({ length: 8 }, () => facilitatorClient.settle(payload, requirements)),
    )
    expect(results.filter((result) => result.success)).toHaveLength(1)
    for (const result of results.filter((entry) => !entry.success)) {
      expect(['payment_in_progress', 'invalid_exact_evm_nonce_already_used']).toContain(result.errorReason)
    }
    expect(results.some((result) => result.errorReason === 'payment_in_progress')).toBe(true)
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(10_000n)
  })

  test('error: refusals are x402 verdicts (isValid false), malformed requests are 400s', async () => {
    const requirements = requirementsFor()
    const payload = await officialPayload(requirements)
    expect(await official().verify(payload, { ...requirements, amount: '10001' })).toMatchObject({
      isValid: false,
      invalidReason: 'invalid_exact_evm_payload_authorization_value_mismatch',
      payer: payer.address,
    })
    const unknownAsset = { ...requirements, asset: devnet.accounts[5]!.address }
    expect(
      await post('verify', {
        x402Version: 2,
        paymentPayload: { ...payload, accepted: unknownAsset },
        paymentRequirements: unknownAsset,
      }),
    ).toMatchObject({
      status: 200,
      json: { isValid: false, invalidReason: 'asset_unknown' },
    })
    const otherNetwork = { ...requirements, network: 'eip155:8453' }
    expect(
      await post('verify', {
        x402Version: 2,
        paymentPayload: { ...payload, accepted: otherNetwork },
        paymentRequirements: otherNetwork,
      }),
    ).toMatchObject({
      json: { isValid: false, invalidReason: 'invalid_network' },
    })
    expect(
      await post('verify', { x402Version: 1, paymentPayload: payload, paymentRequirements: requirements }),
    ).toMatchObject({
      status: 400,
      json: { isValid: false, invalidReason: 'invalid_x402_version' },
    })
    expect(await post('settle', '{not json')).toMatchObject({
      status: 400,
      json: { success: false, errorReason: 'invalid_payload', transaction: '', network: '' },
    })
    expect((await fetch(`${url}/verify`)).status).toBe(405)
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404)
  })
})
