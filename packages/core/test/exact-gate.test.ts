import type { Devnet } from '@tollgate/testkit'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment } from '@x402/fetch'
import { type Address, erc20Abi, getAddress, type LocalAccount, parseEventLogs } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import type { CreateGateOptions, PaymentReceipt } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import type { PaymentRequirements, SettleResponse } from '../src/protocol/types.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { exactHeader, signExactPayload } from './support/exact-payment.js'
import { quietLogger } from './support/quiet-logger.js'

const SECRET = 'test-secret-test-secret-test-secret-0002'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: Devnet
let payTo: Address
let settler: LocalAccount
let payer: LocalAccount

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
  settler = privateKeyToAccount(devnet.accounts[8]!.privateKey)
  payer = privateKeyToAccount(devnet.accounts[1]!.privateKey)
})
afterAll(async () => {
  await devnet?.stop()
})

type Handler = (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>

function setup(overrides: Partial<CreateGateOptions> = {}) {
  const settlements: { durationMs: number; response: SettleResponse }[] = []
  const gate = createGate({
    logger: quietLogger,
    routes: { 'GET /api/search': { price: '$0.01', description: 'Search' } },
    payTo,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, tx: false, exact: { settler } })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    hooks: { onSettle: (event) => settlements.push(event) },
    ...overrides,
  })
  let runs = 0
  const serve = (header?: string, handler?: Handler) =>
    gate.handle(
      new Request(`${ORIGIN}/api/search`, {
        headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
      }),
      async (request, receipt) => {
        runs++
        return handler ? handler(request, receipt) : Response.json({ results: ['paid'] })
      },
    )
  const requirements = async (asset = devnet.tokens.usdc.address): Promise<PaymentRequirements> => {
    const response = await serve()
    expect(response.status).toBe(402)
    const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    const found = required.accepts.find(
      (entry) => entry.scheme === 'exact' && entry.asset.toLowerCase() === asset.toLowerCase(),
    )
    expect(found).toBeDefined()
    return found!
  }
  return { gate, serve, requirements, settlements, runs: () => runs }
}

const usdc = () => devnet.tokens.usdc.address
const paymentResponse = (response: Response) =>
  decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error
}

describe('gate with x402 exact (EIP-3009) on a real chain', () => {
  test('default: the 402 offers exact with the EIP-712 domain, readable by the official client', async () => {
    const { serve } = setup()
    const response = await serve()
    const header = response.headers.get('PAYMENT-REQUIRED')!
    const official = new x402HTTPClient(new x402Client()).getPaymentRequiredResponse((name) =>
      name.toUpperCase() === 'PAYMENT-REQUIRED' ? header : null,
    )
    expect(official.accepts.map((entry) => [entry.scheme, entry.asset, entry.amount, entry.extra])).toEqual([
      ['exact', usdc(), '10000', { name: 'USD Coin', version: '2' }],
      ['exact', devnet.tokens.usdc18.address, '10000000000000000', { name: 'USD Coin', version: '2' }],
    ])
  })

  test('behavior: paid -> handler runs, settled on chain, balances moved, PAYMENT-RESPONSE names the transaction', async () => {
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    const before = await balanceOf(devnet, usdc(), payTo)
    const payerBefore = await balanceOf(devnet, usdc(), payer.address)
    const payload = await signExactPayload({ devnet, signer: payer, requirements: accepted })
    let seen: PaymentReceipt | undefined
    const response = await serve(exactHeader(accepted, payload), (_request, receipt) => {
      seen = receipt
      return Response.json({ ok: true })
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    expect(runs()).toBe(1)
    expect(seen).toMatchObject({ scheme: 'exact', payer: payer.address, amount: '10000' })
    const settled = paymentResponse(response)
    expect(settled).toMatchObject({ success: true, network: devnet.network, payer: payer.address })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settled.transaction as `0x${string}`,
    })
    expect(receipt.status).toBe('success')
    expect(receipt.from.toLowerCase()).toBe(settler.address.toLowerCase())
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(10_000n)
    expect(payerBefore - (await balanceOf(devnet, usdc(), payer.address))).toBe(10_000n)
  })

  test('behavior: the official @x402/fetch client pays the gate with exact, and it is settled', async () => {
    const { gate } = setup()
    const before = await balanceOf(devnet, usdc(), payTo)
    const client = new x402Client().register('eip155:*', new ExactEvmScheme(payer)).setSpendControls(false)
    const paidFetch = wrapFetchWithPayment(
      (input: RequestInfo | URL, init?: RequestInit) =>
        gate.handle(new Request(input, init), () => Response.json({ results: ['paid'] })),
      client,
    )
    const response = await paidFetch(`${ORIGIN}/api/search`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ results: ['paid'] })
    const settled = new x402HTTPClient(client).getPaymentSettleResponse((name) => response.headers.get(name))
    expect(settled).toMatchObject({ success: true, payer: payer.address, network: devnet.network })
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(10_000n)
  })

  test('behavior: handler answers 4xx or 5xx -> nothing settled, no money moved, the authorization stays usable', async () => {
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: payer, requirements: accepted }),
    )
    const before = await balanceOf(devnet, usdc(), payTo)
    const failed = await serve(header, () => new Response('boom', { status: 500 }))
    expect(failed.status).toBe(500)
    expect(failed.headers.get('PAYMENT-RESPONSE')).toBeNull()
    const missing = await serve(header, () => new Response('no such thing', { status: 404 }))
    expect(missing.status).toBe(404)
    expect(await balanceOf(devnet, usdc(), payTo)).toBe(before)
    const paid = await serve(header)
    expect(paid.status).toBe(200)
    expect(paymentResponse(paid).success).toBe(true)
    expect(runs()).toBe(3)
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(10_000n)
  })

  test('error: 5 concurrent authorizations from a payer whose balance covers one -> one handler run, one transfer, 4 refused before the handler', async () => {
    const poor = privateKeyToAccount(generatePrivateKey())
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    await devnet.mint('usdc', poor.address, BigInt(accepted.amount))
    const headers = await Promise.all(
      Array.from({ length: 5 }, async () =>
        exactHeader(accepted, await signExactPayload({ devnet, signer: poor, requirements: accepted })),
      ),
    )
    const before = await balanceOf(devnet, usdc(), payTo)
    const responses = await Promise.all(headers.map((header) => serve(header)))
    expect(runs()).toBe(1)
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1)
    const refused = responses.filter((response) => response.status !== 200)
    expect(refused.map((response) => response.status)).toEqual([402, 402, 402, 402])
    expect(await Promise.all(refused.map(errorOf))).toEqual(Array(4).fill('insufficient_funds'))
    // Refused at verify: no settlement was attempted, so no PAYMENT-RESPONSE.
    expect(refused.map((response) => response.headers.get('PAYMENT-RESPONSE'))).toEqual(Array(4).fill(null))
    const transfers = await devnet.publicClient.getContractEvents({
      address: usdc(),
      abi: erc20Abi,
      eventName: 'Transfer',
      args: { from: poor.address },
      fromBlock: 0n,
    })
    expect(transfers).toHaveLength(1)
    expect(transfers[0]!.args.value).toBe(BigInt(accepted.amount))
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(BigInt(accepted.amount))
    expect(await balanceOf(devnet, usdc(), poor.address)).toBe(0n)
  })

  test('behavior: a verified authorization holds the balance while its handler runs; a failed handler frees it at once', async () => {
    const poor = privateKeyToAccount(generatePrivateKey())
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    await devnet.mint('usdc', poor.address, BigInt(accepted.amount))
    const sign = async () =>
      exactHeader(accepted, await signExactPayload({ devnet, signer: poor, requirements: accepted }))
    const [first, second, third] = await Promise.all([sign(), sign(), sign()])
    let during: Response | undefined
    const failed = await serve(first, async () => {
      during = await serve(second)
      return new Response('boom', { status: 500 })
    })
    expect(failed.status).toBe(500)
    // While the first authorization was held, the second was refused before its handler.
    expect(during!.status).toBe(402)
    expect(await errorOf(during!)).toBe('insufficient_funds')
    expect(runs()).toBe(1)
    // The failed handler released the hold (long before the authorization's lifetime ends).
    const paid = await serve(third)
    expect(paid.status).toBe(200)
    expect(paymentResponse(paid).success).toBe(true)
    expect(runs()).toBe(2)
    expect(await balanceOf(devnet, usdc(), poor.address)).toBe(0n)
  })

  test('error: a replayed authorization gets the kept response (replay off: refused) after settlement, without running the handler', async () => {
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: payer, requirements: accepted }),
    )
    expect((await serve(header)).status).toBe(200)
    const replay = await serve(header)
    expect(replay.status).toBe(200)
    expect(replay.headers.get('payment-replay')).toBe('true')
    expect(await replay.json()).toEqual({ results: ['paid'] })
    // With replay off nothing is kept, and the spent authorization is refused.
    const off = setup({ replay: { maxBodyBytes: 0 } })
    const offHeader = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: payer, requirements: accepted }),
    )
    expect((await off.serve(offHeader)).status).toBe(200)
    const refused = await off.serve(offHeader)
    expect(refused.status).toBe(402)
    expect(await errorOf(refused)).toBe('payment_already_used')
    expect(off.runs()).toBe(1)
    // Another gate (a restarted instance with an empty store) still refuses it: the chain remembers.
    const fresh = setup()
    const again = await fresh.serve(header)
    expect(again.status).toBe(402)
    expect(await errorOf(again)).toBe('invalid_exact_evm_nonce_already_used')
    expect(runs() + fresh.runs()).toBe(1)
  })

  test('behavior: a replayed pass purchase hands over the same pass again, without running the handler', async () => {
    const pass = { ttlSeconds: 600, scope: ['GET /api/other'] }
    const { serve, requirements, runs } = setup({
      routes: { 'GET /api/search': { price: '$0.01', description: 'A pass', pass } },
    })
    const accepted = await requirements()
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: payer, requirements: accepted }),
    )
    const served = await serve(header)
    expect(served.status).toBe(200)
    const sold = paymentResponse(served).extensions?.pass as { token: string } | undefined
    expect(sold?.token).toEqual(expect.any(String))
    const replay = await serve(header)
    expect(replay.status).toBe(200)
    expect(replay.headers.get('payment-replay')).toBe('true')
    // The buyer whose first answer was lost gets the pass it paid for, not a bare receipt.
    expect(paymentResponse(replay).extensions).toMatchObject({ replay: true, pass: sold })
    expect(runs()).toBe(1)
  })

  test('behavior: 20 concurrent duplicates of one fresh authorization -> exactly one 200, one handler run, one transfer', async () => {
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: payer, requirements: accepted }),
    )
    const before = await balanceOf(devnet, usdc(), payTo)
    const responses = await Promise.all(Array.from({ length: 20 }, () => serve(header)))
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    // The duplicates arrive while the first is in flight: 409 payment_in_progress, not a refusal.
    expect(statuses.filter((status) => status === 409)).toHaveLength(19)
    expect(runs()).toBe(1)
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(10_000n)
  })

  describe('refused before the handler runs', () => {
    const cases: {
      name: string
      code: string
      make: (accepted: PaymentRequirements) => Promise<{ header: string }>
    }[] = [
      {
        name: 'wrong EIP-712 domain name',
        code: 'invalid_exact_evm_payload_signature',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              domain: { name: 'USDC' },
            }),
          ),
        }),
      },
      {
        name: 'wrong EIP-712 domain version',
        code: 'invalid_exact_evm_payload_signature',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              domain: { version: '1' },
            }),
          ),
        }),
      },
      {
        name: 'expired authorization',
        code: 'invalid_exact_evm_payload_authorization_valid_before',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              authorization: { validBefore: BigInt(Math.floor(Date.now() / 1000) - 1) },
            }),
          ),
        }),
      },
      {
        name: 'authorization not yet valid',
        code: 'invalid_exact_evm_payload_authorization_valid_after',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              authorization: { validAfter: BigInt(Math.floor(Date.now() / 1000) + 120) },
            }),
          ),
        }),
      },
      {
        name: 'authorization valid far beyond the payment window',
        code: 'invalid_exact_evm_payload_authorization_validity_span',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              authorization: { validBefore: BigInt(Math.floor(Date.now() / 1000) + 86_400 * 365) },
            }),
          ),
        }),
      },
      {
        name: 'value differs from the price',
        code: 'invalid_exact_evm_payload_authorization_value_mismatch',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              authorization: { value: 10_001n },
            }),
          ),
        }),
      },
      {
        name: 'a usdc18 authorization for the usdc requirement',
        code: 'invalid_exact_evm_payload_signature',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              domain: { verifyingContract: devnet.tokens.usdc18.address },
            }),
          ),
        }),
      },
      {
        name: 'pays another recipient',
        code: 'invalid_exact_evm_payload_recipient_mismatch',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: payer,
              requirements: accepted,
              authorization: { to: devnet.accounts[5]!.address },
            }),
          ),
        }),
      },
      {
        name: 'payer without the balance',
        code: 'insufficient_funds',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: privateKeyToAccount(generatePrivateKey()),
              requirements: accepted,
            }),
          ),
        }),
      },
      {
        name: 'signed by another key',
        code: 'invalid_exact_evm_payload_signature',
        make: async (accepted) => ({
          header: exactHeader(
            accepted,
            await signExactPayload({
              devnet,
              signer: privateKeyToAccount(devnet.accounts[2]!.privateKey),
              from: payer.address,
              requirements: accepted,
            }),
          ),
        }),
      },
      {
        name: 'malformed payload',
        code: 'invalid_payload',
        make: async (accepted) => {
          const payload = await signExactPayload({ devnet, signer: payer, requirements: accepted })
          return {
            header: exactHeader(accepted, {
              ...payload,
              authorization: { ...payload.authorization, value: '1e4' },
            }),
          }
        },
      },
    ]
    test.each(cases)('error: $name -> $code', async ({ make, code }) => {
      const { serve, requirements, runs } = setup()
      const before = await balanceOf(devnet, usdc(), payTo)
      const { header } = await make(await requirements())
      const response = await serve(header)
      expect(response.status).toBe(code === 'invalid_payload' ? 400 : 402)
      expect(await errorOf(response)).toBe(code)
      expect(runs()).toBe(0)
      expect(await balanceOf(devnet, usdc(), payTo)).toBe(before)
    })
  })

  test('behavior: a smart-wallet (ERC-1271) payer is accepted and settled', async () => {
    const wallet = getAddress(await devnet.deploySmartWallet(3))
    await devnet.mint('usdc', wallet, 1_000_000n)
    const owner = privateKeyToAccount(devnet.accounts[3]!.privateKey)
    const { serve, requirements } = setup()
    const accepted = await requirements()
    const before = await balanceOf(devnet, usdc(), payTo)
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: owner, from: wallet, requirements: accepted }),
    )
    const response = await serve(header)
    expect(response.status).toBe(200)
    expect(paymentResponse(response)).toMatchObject({ success: true, payer: wallet })
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(10_000n)
    expect(await balanceOf(devnet, usdc(), wallet)).toBe(990_000n)
  })

  test('error: settlement fails (the payer empties its balance while the handler runs) -> the response is withheld, 402', async () => {
    const poorPayer = privateKeyToAccount(devnet.accounts[4]!.privateKey)
    const { serve, requirements, runs } = setup()
    const accepted = await requirements()
    const header = exactHeader(
      accepted,
      await signExactPayload({ devnet, signer: poorPayer, requirements: accepted }),
    )
    const before = await balanceOf(devnet, usdc(), payTo)
    const response = await serve(header, async () => {
      const balance = await balanceOf(devnet, usdc(), poorPayer.address)
      const hash = await devnet.walletClient(4).writeContract({
        address: usdc(),
        abi: erc20Abi,
        functionName: 'transfer',
        args: [devnet.accounts[7]!.address, balance],
      })
      await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
      return Response.json({ secret: 'the paid content' })
    })
    expect(runs()).toBe(1)
    expect(response.status).toBe(402)
    const body = await response.text()
    expect(body).not.toContain('the paid content')
    expect(JSON.parse(body)).toMatchObject({ error: 'insufficient_funds' })
    expect(paymentResponse(response)).toMatchObject({
      success: false,
      transaction: '',
      errorReason: 'insufficient_funds',
      payer: poorPayer.address,
    })
    expect(await balanceOf(devnet, usdc(), payTo)).toBe(before)
  })

  test('behavior: 10 concurrent payers settled from one settler key all succeed: each Transfer once, in the settler transaction its answer names, with consecutive nonces', async () => {
    const payers = Array.from({ length: 10 }, () => privateKeyToAccount(generatePrivateKey()))
    for (const entry of payers) await devnet.mint('usdc', entry.address, 1_000_000n)
    const { serve, requirements, settlements } = setup()
    const accepted = await requirements()
    const headers = await Promise.all(
      payers.map(async (signer) =>
        exactHeader(accepted, await signExactPayload({ devnet, signer, requirements: accepted })),
      ),
    )
    const before = await balanceOf(devnet, usdc(), payTo)
    const nonceBefore = await devnet.publicClient.getTransactionCount({ address: settler.address })
    const responses = await Promise.all(headers.map((header) => serve(header)))
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200))
    const transactions = [...new Set(responses.map((response) => paymentResponse(response).transaction))]
    expect((await balanceOf(devnet, usdc(), payTo)) - before).toBe(100_000n)
    expect(settlements).toHaveLength(10)
    // Read from the chain: every payer's Transfer is in the settler's transaction its answer names,
    // once; settlements that waited together shared one; the nonces used are exactly the next ones.
    const carried = new Map<string, string>()
    const nonces: number[] = []
    for (const hash of transactions) {
      const transaction = await devnet.publicClient.getTransaction({ hash: hash as `0x${string}` })
      expect(getAddress(transaction.from)).toBe(settler.address)
      nonces.push(transaction.nonce)
      const receipt = await devnet.publicClient.getTransactionReceipt({ hash: hash as `0x${string}` })
      for (const log of parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs }))
        carried.set(getAddress(log.args.from), hash)
    }
    expect(carried.size).toBe(10)
    for (const [index, payer] of payers.entries())
      expect(carried.get(payer.address)).toBe(paymentResponse(responses[index]!).transaction)
    expect(nonces.sort((left, right) => left - right)).toEqual(
      Array.from({ length: transactions.length }, (_, index) => nonceBefore + index),
    )
    expect(await devnet.publicClient.getTransactionCount({ address: settler.address })).toBe(
      nonceBefore + transactions.length,
    )
  })
})
