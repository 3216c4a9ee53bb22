import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createClient } from '../src/client/create-client.js'
import { evmNetwork } from '../src/evm/evm-network.js'
import { evmWallet } from '../src/evm/evm-wallet.js'
import { createGate } from '../src/gate/create-gate.js'
import {
  decodePaymentRequiredHeader,
  encodePaymentRequiredHeader,
} from '../src/protocol/payment-required-header.js'
import { decodePaymentSignatureHeader } from '../src/protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import type { Wallet } from '../src/scheme/wallet.js'
import { devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { quietLogger } from './support/quiet-logger.js'
import { serve } from './support/serve.js'

let devnet: Devnet
let gate: ReturnType<typeof createGate>

beforeAll(async () => {
  devnet = await startDevnet()
  gate = createGate({
    logger: quietLogger,
    routes: { 'GET /paid': { price: '$0.001' }, 'GET /dear': { price: '$0.25' } },
    payTo: devnet.accounts[9]!.address,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, assets: ['USDC'] })],
    secret: 'client-refusals-secret-0123456789abcdefgh',
    registry: devnetRegistry(devnet),
  })
})
afterAll(async () => {
  await devnet?.stop()
})

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

// Counts every signing call, so "refused before paying" is checked, not assumed.
function counted(account: number) {
  const wallet = evmWallet({
    account: privateKeyToAccount(devnet.accounts[account]!.privateKey),
    rpcUrls: { [devnet.network]: devnet.rpcUrl },
    pollingIntervalMs: 20,
  })
  const calls = { sendTransfer: 0, authorize: 0 }
  const counting: Wallet = {
    ...wallet,
    sendTransfer: (input) => {
      calls.sendTransfer++
      return wallet.sendTransfer!(input)
    },
    authorize: (input) => {
      calls.authorize++
      return wallet.authorize!(input)
    },
  }
  return { wallet: counting, calls }
}

function exactOffer(): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    asset: devnet.tokens.usdc.address,
    amount: '1000',
    payTo: devnet.accounts[9]!.address,
    maxTimeoutSeconds: 60,
    extra: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
  }
}

// A server whose 402 offers what `offers` returns, and that answers any proof with `onProof`.
async function offering(
  offers: (gateOffers: PaymentRequirements[]) => PaymentRequirements[],
  onProof: (request: Request) => Response | Promise<Response> = (request) =>
    gate.handle(request, () => Response.json({ ok: true })),
) {
  return serve(async (request) => {
    if (request.headers.has('PAYMENT-SIGNATURE')) return onProof(request)
    const quote = await gate.handle(request, () => Response.json({ ok: true }))
    const required = decodePaymentRequiredHeader(quote.headers.get('PAYMENT-REQUIRED')!)
    const accepts = offers(required.accepts)
    const body = { ...required, accepts }
    return Response.json(
      { error: 'payment_required', accepts },
      { status: 402, headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(body) } },
    )
  })
}

describe('the client refuses before paying what cannot be right', () => {
  test('error: without a policy a small default applies, and the error names the option that raises it', async () => {
    const server = await serve((request) => gate.handle(request, () => Response.json({ ok: true })))
    const { wallet, calls } = counted(1)
    const client = createClient({ wallets: [wallet], registry: devnetRegistry(devnet) })
    const error = await client.fetch(`${server.origin}/dear`).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'policy_per_call_exceeded', details: { option: 'policy.perCall' } })
    expect((error as Error).message).toContain('`policy.perCall`')
    expect(calls).toEqual({ sendTransfer: 0, authorize: 0 })
    // Cheap calls are paid, up to the default total.
    expect((await client.fetch(`${server.origin}/paid`)).status).toBe(200)
    expect(await spentOnChain(devnet.accounts[1]!.address)).toBe(1000n)
    await server.close()
  })

  test('error: a zero price and a tx offer without a challenge are never paid; no_payable_option says why', async () => {
    const server = await offering((gateOffers) => [
      { ...gateOffers[0]!, amount: '0' },
      { ...gateOffers[0]!, extra: {} },
      { ...gateOffers[0]!, scheme: 'upto' },
    ])
    const { wallet, calls } = counted(2)
    const client = createClient({
      wallets: [wallet],
      registry: devnetRegistry(devnet),
      policy: { budget: '$1' },
    })
    const error = await client.fetch(`${server.origin}/paid`).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'no_payable_option' })
    const skipped = (error as { details: { skipped: { reason: string }[] } }).details.skipped
    expect(skipped.map((entry) => entry.reason)).toEqual([
      'zero_price',
      'challenge_missing',
      'scheme_unsupported',
    ])
    expect(calls).toEqual({ sendTransfer: 0, authorize: 0 })
    expect(await spentOnChain(devnet.accounts[2]!.address)).toBe(0n)
    await server.close()
  })

  test('behavior: an exact refusal carries the gate reason, and tx is tried when it is offered too', async () => {
    const refusals: string[] = []
    const server = await offering(
      (gateOffers) => [exactOffer(), ...gateOffers],
      async (request) => {
        const payload = decodePaymentSignatureHeader(request.headers.get('PAYMENT-SIGNATURE')!)
        if (payload.accepted.scheme !== 'exact')
          return gate.handle(request, () => Response.json({ ok: true }))
        refusals.push('exact')
        const quote = await gate.handle(new Request(request.url), () => Response.json({ ok: true }))
        const required = decodePaymentRequiredHeader(quote.headers.get('PAYMENT-REQUIRED')!)
        const body = {
          ...required,
          error: 'invalid_exact_evm_token_name_mismatch',
          accepts: [exactOffer(), ...required.accepts],
        }
        return Response.json(body, {
          status: 402,
          headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(body) },
        })
      },
    )
    const { wallet, calls } = counted(3)
    const client = createClient({
      wallets: [wallet],
      registry: devnetRegistry(devnet),
      policy: { budget: '$1' },
    })
    const response = await client.fetch(`${server.origin}/paid`)
    expect(response.status).toBe(200)
    expect(refusals).toEqual(['exact'])
    expect(calls).toEqual({ sendTransfer: 1, authorize: 1 })
    expect(client.paymentFor(response)).toMatchObject({ scheme: 'tx' })
    expect(await spentOnChain(devnet.accounts[3]!.address)).toBe(1000n)
    // The refused authorization stays reserved until it provably cannot settle.
    expect((await client.reserved()).payments).toBe(1)
    const rejected = (await client.ledger.records()).find((record) => record.type === 'rejected')
    expect(rejected).toMatchObject({ scheme: 'exact', error: 'invalid_exact_evm_token_name_mismatch' })

    // With only exact offered, the refusal surfaces with the gate's reason.
    const only = await offering(
      () => [exactOffer()],
      () => {
        const body = {
          x402Version: 2 as const,
          resource: { url: 'x' },
          error: 'invalid_exact_evm_payload_signature',
          accepts: [exactOffer()],
        }
        return Response.json(body, {
          status: 402,
          headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(body) },
        })
      },
    )
    const error = await client.fetch(`${only.origin}/paid`).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'payment_rejected',
      details: { reason: 'invalid_exact_evm_payload_signature' },
    })
    await only.close()
    await server.close()
  })
})
