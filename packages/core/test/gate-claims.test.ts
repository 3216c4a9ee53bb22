import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi, type Hex, type LocalAccount, parseEventLogs } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import type { CreateGateOptions, Gate } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import { encodePaymentSignatureHeader } from '../src/protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { createMemoryStore } from '../src/store/memory-store.js'
import type { Store } from '../src/store/types.js'
import { createProofMessage } from '../src/tx/create-proof-message.js'
import { balanceOf, devnetRegistry, startDevnet, transfer } from './support/devnet-gate.js'
import { exactHeader, signExactPayload } from './support/exact-payment.js'
import { startHeldRpcProxy } from './support/held-rpc-proxy.js'
import { quietLogger } from './support/quiet-logger.js'

const SECRET = 'test-secret-test-secret-test-secret-0012'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: Devnet
let payTo: Address
let settler: LocalAccount

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
  settler = privateKeyToAccount(devnet.accounts[8]!.privateKey)
})
afterAll(async () => {
  await devnet?.stop()
})

/** A gate on one route whose handler counts its runs and can be held open by the test. */
function setup(options: { rpcUrl?: string; exact?: boolean; store?: Store } = {}) {
  const store = options.store ?? createMemoryStore()
  const gateOptions: CreateGateOptions = {
    routes: { 'POST /api/post': { price: '$0.30' } },
    payTo,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: options.rpcUrl ?? devnet.rpcUrl,
        ...(options.exact ? { exact: { settler } } : {}),
      }),
    ],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    store,
    logger: quietLogger,
  }
  const gate: Gate = createGate(gateOptions)
  let runs = 0
  let holdHandler: Promise<void> | undefined
  let handlerStarted: () => void = () => {}
  const serve = (header?: string) =>
    gate.handle(
      new Request(`${ORIGIN}/api/post`, {
        method: 'POST',
        headers: header === undefined ? {} : { 'PAYMENT-SIGNATURE': header },
      }),
      async () => {
        runs++
        handlerStarted()
        await holdHandler
        return Response.json({ posted: true })
      },
    )
  const requirements = async (scheme: 'tx' | 'exact'): Promise<PaymentRequirements> => {
    const response = await serve()
    expect(response.status).toBe(402)
    const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    const found = required.accepts.find(
      (entry) =>
        entry.scheme === scheme && entry.asset.toLowerCase() === devnet.tokens.usdc.address.toLowerCase(),
    )
    expect(found).toBeDefined()
    return found!
  }
  /** Holds the next handler run open until the returned `open()`; `started` resolves when it runs. */
  const holdNextHandler = () => {
    let open: () => void = () => {}
    holdHandler = new Promise<void>((resolve) => {
      open = resolve
    })
    const started = new Promise<void>((resolve) => {
      handlerStarted = resolve
    })
    return {
      started,
      open: () => {
        holdHandler = undefined
        open()
      },
    }
  }
  return { gate, store, serve, requirements, holdNextHandler, runs: () => runs }
}

/** A tx proof header for `hash`, signed by any account (the payer or a stranger). */
async function proofBy(signer: LocalAccount, requirements: PaymentRequirements, hash: Hex): Promise<string> {
  const challenge = requirements.extra.challenge as string
  const message = createProofMessage({ network: requirements.network, transaction: hash, challenge })
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: requirements,
    payload: { transaction: hash, challenge, signature: await signer.signMessage({ message }) },
  })
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error
}

/** `Transfer` events of `token` in a transaction's receipt, read from the chain. */
async function transfersIn(hash: Hex, token: Address) {
  const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
  return parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs }).filter(
    (log) => log.address.toLowerCase() === token.toLowerCase(),
  )
}

describe('gate claims: in flight is not spent', () => {
  test('behavior: a duplicate while the handler runs is 409 payment_in_progress with Retry-After; once served, the kept response is replayed', async () => {
    const { serve, requirements, holdNextHandler, runs } = setup()
    const payer = privateKeyToAccount(devnet.accounts[3]!.privateKey)
    const accepted = await requirements('tx')
    const paid = await transfer(devnet, { from: 3, to: payTo, amount: BigInt(accepted.amount) })
    const header = await proofBy(payer, accepted, paid.hash)

    const held = holdNextHandler()
    const first = serve(header)
    await held.started
    const duplicate = await serve(header)
    expect([duplicate.status, await errorOf(duplicate)]).toEqual([409, 'payment_in_progress'])
    expect(duplicate.headers.get('retry-after')).toBe('1')
    // The payer's own retry with a fresh challenge is the same payment in flight, too.
    const fresh = await proofBy(payer, await requirements('tx'), paid.hash)
    expect((await serve(fresh)).status).toBe(409)

    held.open()
    expect((await first).status).toBe(200)
    const replay = await serve(header)
    expect([replay.status, replay.headers.get('payment-replay')]).toEqual([200, 'true'])
    expect(runs()).toBe(1)
  })

  test("behavior: strangers flooding proofs of the payer's transaction behind a held RPC never block the payer", async () => {
    const proxy = await startHeldRpcProxy(devnet.rpcUrl)
    try {
      const { serve, requirements, runs } = setup({ rpcUrl: proxy.url })
      const victim = privateKeyToAccount(devnet.accounts[4]!.privateKey)
      const accepted = await requirements('tx')
      const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
      const paid = await transfer(devnet, { from: 4, to: payTo, amount: BigInt(accepted.amount) })
      const strangers = Array.from({ length: 16 }, () => privateKeyToAccount(generatePrivateKey()))
      const bogus = await Promise.all(strangers.map((stranger) => proofBy(stranger, accepted, paid.hash)))

      proxy.hold()
      // Eight strangers get there first and sit in the (held) RPC with their proofs.
      const early = bogus.slice(0, 8).map((header) => serve(header))
      // Each stranger holds only its own claim, so all eight reach the RPC; none is answered first.
      expect(
        await Promise.race([
          proxy.parked(8).then(() => 'all verifying'),
          Promise.any(early).then((response) => `one answered ${response.status}`),
        ]),
      ).toBe('all verifying')
      // The payer's proof is not refused: it reaches the RPC like any proof of its own.
      const payer = serve(await proofBy(victim, accepted, paid.hash))
      const first = await Promise.race([
        proxy.parked(9).then(() => 'verifying'),
        payer.then((response) => `answered ${response.status}`),
      ])
      expect(first).toBe('verifying')
      // Eight more strangers while the payer's proof is in flight.
      const late = bogus.slice(8).map((header) => serve(header))
      await proxy.parked(17)
      proxy.release()

      const response = await payer
      expect(response.status).toBe(200)
      expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
        success: true,
        transaction: paid.hash,
        payer: victim.address,
      })
      for (const refused of await Promise.all([...early, ...late])) {
        expect([refused.status, await errorOf(refused)]).toEqual([402, 'verify_payer_mismatch'])
      }
      expect(runs()).toBe(1)
      // One payment moved on chain, and it bought one request.
      expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(
        BigInt(accepted.amount),
      )
    } finally {
      proxy.release()
      await proxy.close()
    }
  })

  test('error: a proof whose signature recovers to nobody is refused before any RPC', async () => {
    const proxy = await startHeldRpcProxy(devnet.rpcUrl)
    try {
      const { serve, requirements } = setup({ rpcUrl: proxy.url })
      const accepted = await requirements('tx')
      const forwarded = proxy.forwarded()
      const header = encodePaymentSignatureHeader({
        x402Version: 2,
        accepted,
        payload: {
          transaction: `0x${'ab'.repeat(32)}`,
          challenge: accepted.extra.challenge as string,
          signature: `0x${'00'.repeat(65)}`,
        },
      })
      const response = await serve(header)
      expect([response.status, await errorOf(response)]).toEqual([402, 'verify_signature_invalid'])
      expect(proxy.forwarded()).toBe(forwarded)
    } finally {
      await proxy.close()
    }
  })
})

describe('gate claims: one payment, one sale, across schemes', () => {
  test('error: an exact settlement re-presented as a tx proof by the same payer is refused, and its on-chain identity is spent', async () => {
    const { serve, requirements, store, runs } = setup({ exact: true })
    const payer = privateKeyToAccount(devnet.accounts[5]!.privateKey)
    const usdc = devnet.tokens.usdc.address
    const before = await balanceOf(devnet, usdc, payTo)

    // 1. Pay POST /api/post with exact.
    const exact = await requirements('exact')
    const paid = await serve(
      exactHeader(exact, await signExactPayload({ devnet, signer: payer, requirements: exact })),
    )
    expect(paid.status).toBe(200)
    const settlement = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE')!)
    const hash = settlement.transaction as Hex

    // 2. Take the settlement hash and sign a tx proof over it with the same key.
    const replay = await serve(await proofBy(payer, await requirements('tx'), hash))
    expect([replay.status, await errorOf(replay)]).toEqual([402, 'verify_authorization_transfer'])
    expect(runs()).toBe(1)

    // On chain: one transfer from the payer to payTo, of the price, once.
    const transfers = await transfersIn(hash, usdc)
    expect(transfers.map((log) => [log.args.from, log.args.to, log.args.value])).toEqual([
      [payer.address, payTo, BigInt(exact.amount)],
    ])
    expect((await balanceOf(devnet, usdc, payTo)) - before).toBe(BigInt(exact.amount))
    // The settlement claimed the transfer's on-chain identity (network, transaction, log index).
    const identity = `onchain:${devnet.network}:${hash.toLowerCase()}:${transfers[0]!.logIndex}`
    expect(await store.claim(identity, { ttlSeconds: 60 })).toMatchObject({ claimed: false, state: 'spent' })
  })

  test("behavior: a tx payment claims its transaction and its transfer's on-chain identity once served", async () => {
    const { serve, requirements, store } = setup()
    const payer = privateKeyToAccount(devnet.accounts[6]!.privateKey)
    const accepted = await requirements('tx')
    const paid = await transfer(devnet, { from: 6, to: payTo, amount: BigInt(accepted.amount) })
    expect((await serve(await proofBy(payer, accepted, paid.hash))).status).toBe(200)
    const [log] = await transfersIn(paid.hash, devnet.tokens.usdc.address)
    for (const key of [
      `tx:${devnet.network}:${paid.hash.toLowerCase()}`,
      `tx:${devnet.network}:${paid.hash.toLowerCase()}:${payer.address.toLowerCase()}`,
      `onchain:${devnet.network}:${paid.hash.toLowerCase()}:${log!.logIndex}`,
    ]) {
      expect(await store.claim(key, { ttlSeconds: 60 }), key).toMatchObject({
        claimed: false,
        state: 'spent',
      })
    }
  })

  test('error: a tx proof of a transfer whose on-chain identity another scheme sold is payment_already_used', async () => {
    const store = createMemoryStore()
    const { serve, requirements, runs } = setup({ store })
    const payer = privateKeyToAccount(devnet.accounts[7]!.privateKey)
    const accepted = await requirements('tx')
    const paid = await transfer(devnet, { from: 7, to: payTo, amount: BigInt(accepted.amount) })
    const [log] = await transfersIn(paid.hash, devnet.tokens.usdc.address)
    // Another scheme (or protocol) sold this very transfer first and claimed its identity.
    const other = await store.claim(`onchain:${devnet.network}:${paid.hash.toLowerCase()}:${log!.logIndex}`, {
      ttlSeconds: 60,
    })
    if (other.claimed)
      await store.commit(
        `onchain:${devnet.network}:${paid.hash.toLowerCase()}:${log!.logIndex}`,
        other.token,
        { ttlSeconds: 60 },
      )
    const header = await proofBy(payer, accepted, paid.hash)
    const response = await serve(header)
    expect([response.status, await errorOf(response)]).toEqual([402, 'payment_already_used'])
    expect(runs()).toBe(0)
    // The payer's key is now spent too: the next replay is refused before any RPC.
    expect(
      await store.claim(`tx:${devnet.network}:${paid.hash.toLowerCase()}:${payer.address.toLowerCase()}`, {
        ttlSeconds: 60,
      }),
    ).toMatchObject({ state: 'spent' })
  })
})
