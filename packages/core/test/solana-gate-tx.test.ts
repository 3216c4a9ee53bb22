import { type Address, generateKeyPairSigner } from '@solana/kit'
import { getTransferSolInstruction } from '@solana-program/system'
import {
  AuthorityType,
  findAssociatedTokenPda,
  getSetAuthorityInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token'
import type { SolanaDevnet } from '@tollgate/testkit/solana'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createGate } from '../src/gate/create-gate.js'
import type { CreateGateOptions, GateDecision, GateRejected } from '../src/gate/types.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import { encodePaymentSignatureHeader } from '../src/protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../src/protocol/types.js'
import { solanaNetwork } from '../src/solana/solana-network.js'
import { createMemoryStore } from '../src/store/memory-store.js'
import { createProofMessage } from '../src/tx/create-proof-message.js'
import { startHeldRpcProxy } from './support/held-rpc-proxy.js'
import { quietLogger } from './support/quiet-logger.js'
import {
  signProof,
  solanaProofHeader,
  solanaRegistry,
  startSolanaDevnet,
  transferSol,
  transferToken,
} from './support/solana-devnet-gate.js'

const SECRET = 'test-secret-test-secret-test-secret-0001'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: SolanaDevnet
let payTo: Address

beforeAll(async () => {
  devnet = await startSolanaDevnet()
  payTo = devnet.accounts[9]!.address
})
afterAll(async () => {
  await devnet?.stop()
})
beforeEach(() => devnet.resetRpcStats())

function makeGate(
  overrides: Partial<CreateGateOptions> = {},
  network: Partial<Parameters<typeof solanaNetwork>[0]> = {},
) {
  return createGate({
    logger: quietLogger,
    routes: {
      'GET /api/search': { price: '$0.001', description: 'Search' },
      'POST /api/post': { price: '$0.30' },
      'GET /api/native': { price: '0.001 SOL' },
      'GET /api/token22': { price: '0.25 USDC22' },
    },
    payTo,
    networks: [
      solanaNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        assets: ['USDC', 'USDC22', 'native'],
        ...network,
      }),
    ],
    secret: SECRET,
    registry: solanaRegistry(devnet),
    ...overrides,
  })
}

/** A gate on another devnet, with its clock `offsetMs` ahead of the wall clock. */
function aheadGate(other: SolanaDevnet, offsetMs = 0) {
  return makeGate({
    networks: [solanaNetwork({ network: other.network, rpcUrl: other.rpcUrl })],
    registry: solanaRegistry(other),
    now: () => Date.now() + offsetMs,
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
  const wanted = asset ?? devnet.tokens.usdc.mint
  const requirements = paymentRequired.accepts.find(
    (entry) => entry.scheme === 'tx' && entry.asset === wanted,
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

async function errorOf(gate: ReturnType<typeof makeGate>, path: string, header: string) {
  return (await rejection(await gate.check(request(path, { 'PAYMENT-SIGNATURE': header })))).body.error
}

/** Pays the route's USDC price from account `from` and returns the proof header. */
async function pay(
  gate: ReturnType<typeof makeGate>,
  path: string,
  options: { from?: number; method?: string } = {},
) {
  const from = options.from ?? 0
  const requirements = await challenge(gate, path, options.method)
  const paid = await transferToken(devnet, { from, to: payTo, amount: BigInt(requirements.amount) })
  expect(paid).toMatchObject({ landed: true, err: null })
  const header = await solanaProofHeader(devnet, { signer: from, requirements, transaction: paid.signature })
  return { requirements, paid, header }
}

describe('gate with Solana tx proofs on a real SVM', () => {
  test('default: unpaid -> 402 with a valid PAYMENT-REQUIRED the official client parses', async () => {
    const gate = makeGate()
    const { status, body, response } = await rejection(await gate.check(request('/api/search')))
    expect(status).toBe(402)
    expect(body.error).toBe('payment_required')
    const header = response.headers.get('PAYMENT-REQUIRED')!
    const official = new x402HTTPClient(new x402Client()).getPaymentRequiredResponse((name) =>
      name.toUpperCase() === 'PAYMENT-REQUIRED' ? header : null,
    )
    expect(
      official.accepts.map((entry) => [entry.scheme, entry.network, entry.asset, entry.amount, entry.payTo]),
    ).toEqual([
      ['tx', devnet.network, devnet.tokens.usdc.mint, '1000', payTo],
      ['tx', devnet.network, devnet.tokens.usdc2022.mint, '1000', payTo],
    ])
    expect(official.accepts[0]?.extra).toMatchObject({ confirmations: 1, challenge: expect.any(String) })
  })

  test('default: free routes pass through', async () => {
    expect(await makeGate().check(request('/health'))).toEqual({ outcome: 'free' })
  })

  test('behavior: paid in SPL USDC -> admitted in one RPC round trip, balances moved on the SVM', async () => {
    const gate = makeGate()
    const before = await devnet.tokenBalance('usdc', payTo)
    const payerBefore = await devnet.tokenBalance('usdc', devnet.accounts[0]!.address)
    const { header, paid } = await pay(gate, '/api/post', { method: 'POST' })
    devnet.resetRpcStats()
    const decision = await gate.check(request('/api/post', { 'PAYMENT-SIGNATURE': header }, 'POST'))
    expect(decision.outcome).toBe('paid')
    if (decision.outcome !== 'paid') return
    expect(decision.receipt).toMatchObject({
      method: 'payment',
      scheme: 'tx',
      route: 'POST /api/post',
      network: devnet.network,
      asset: devnet.tokens.usdc.mint,
      amount: '300000',
      payer: devnet.accounts[0]!.address,
      transaction: paid.signature,
    })
    expect(decodePaymentResponseHeader(decision.headers.get('PAYMENT-RESPONSE')!)).toEqual({
      success: true,
      transaction: paid.signature,
      network: devnet.network,
      payer: devnet.accounts[0]!.address,
    })
    // getTransaction, plus the one-time genesis check, in one HTTP request.
    expect(devnet.rpcStats()).toEqual({ requests: 1, calls: { getTransaction: 1, getGenesisHash: 1 } })
    expect((await devnet.tokenBalance('usdc', payTo)) - before).toBe(300_000n)
    expect(payerBefore - (await devnet.tokenBalance('usdc', devnet.accounts[0]!.address))).toBe(300_000n)
    // Later verifications skip the genesis check.
    const second = await pay(gate, '/api/search', { from: 1 })
    devnet.resetRpcStats()
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': second.header }))).outcome).toBe(
      'paid',
    )
    expect(devnet.rpcStats()).toEqual({ requests: 1, calls: { getTransaction: 1 } })
  })

  test('behavior: paid in SOL', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/native', 'GET', 'native')
    expect(requirements.amount).toBe('1000000')
    const before = devnet.balance(payTo)
    const paid = await transferSol(devnet, { from: 1, to: payTo, amount: BigInt(requirements.amount) })
    const header = await solanaProofHeader(devnet, { signer: 1, requirements, transaction: paid.signature })
    const decision = await gate.check(request('/api/native', { 'PAYMENT-SIGNATURE': header }))
    expect(decision).toMatchObject({
      outcome: 'paid',
      receipt: { amount: '1000000', payer: devnet.accounts[1]!.address },
    })
    expect(devnet.balance(payTo) - before).toBe(1_000_000n)
  })

  test('behavior: paid in a Token-2022 mint', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/token22', 'GET', devnet.tokens.usdc2022.mint)
    expect(requirements.amount).toBe('250000')
    const paid = await transferToken(devnet, { from: 2, to: payTo, amount: 250_000n, token: 'usdc2022' })
    const header = await solanaProofHeader(devnet, { signer: 2, requirements, transaction: paid.signature })
    expect(await gate.check(request('/api/token22', { 'PAYMENT-SIGNATURE': header }))).toMatchObject({
      outcome: 'paid',
      receipt: { amount: '250000', asset: devnet.tokens.usdc2022.mint },
    })
  })

  test('behavior: a transfer that also creates the recipient token account is counted from zero', async () => {
    const fresh = (await generateKeyPairSigner()).address
    const gate = makeGate({ payTo: fresh })
    const requirements = await challenge(gate, '/api/search')
    expect(requirements.payTo).toBe(fresh)
    const paid = await transferToken(devnet, { from: 3, to: fresh, amount: 1000n })
    const record = devnet.getTransaction(paid.signature) as {
      meta: { preTokenBalances: unknown[]; innerInstructions: unknown[] }
    }
    expect(record.meta.innerInstructions.length).toBeGreaterThan(0)
    const header = await solanaProofHeader(devnet, { signer: 3, requirements, transaction: paid.signature })
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe('paid')
    expect(await devnet.tokenBalance('usdc', fresh)).toBe(1000n)
  })

  test('error: replaying a proof in flight is 409 payment_in_progress; once served, 402 payment_already_used', async () => {
    const gate = makeGate()
    const { header } = await pay(gate, '/api/search')
    const decision = await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))
    expect(decision.outcome).toBe('paid')
    const during = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect([during.status, during.body.error]).toEqual([409, 'payment_in_progress'])
    if (decision.outcome === 'paid') await decision.complete(200)
    const replay = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect([replay.status, replay.body.error]).toEqual([402, 'payment_already_used'])
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
    const paid = await transferToken(devnet, { from: 0, to: devnet.accounts[8]!.address, amount: 1000n })
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    expect(await errorOf(gate, '/api/search', header)).toBe('verify_recipient_mismatch')
  })

  test('error: wrong recipient in SOL', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/native', 'GET', 'native')
    const paid = await transferSol(devnet, { from: 0, to: devnet.accounts[8]!.address, amount: 1_000_000n })
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    expect(await errorOf(gate, '/api/native', header)).toBe('verify_recipient_mismatch')
  })

  test("error: paying into payTo's associated account after payTo gave it away", async () => {
    const recipient = await generateKeyPairSigner()
    const payer = devnet.accounts[0]!.signer
    // The account exists, then its owner (an SPL Token account can change owners) becomes account 8.
    await transferToken(devnet, { from: 0, to: recipient.address, amount: 1n })
    const account = await devnet.tokenAccount('usdc', recipient.address)
    const reassigned = await devnet.send(
      [
        getSetAuthorityInstruction({
          owned: account,
          owner: recipient,
          authorityType: AuthorityType.AccountOwner,
          newAuthority: devnet.accounts[8]!.address,
        }),
      ],
      { feePayer: payer },
    )
    expect(reassigned.err).toBeNull()
    const gate = makeGate({ payTo: recipient.address })
    const requirements = await challenge(gate, '/api/search')
    const source = await devnet.tokenAccount('usdc', payer.address)
    const paid = await devnet.send(
      [
        getTransferCheckedInstruction({
          source,
          mint: devnet.tokens.usdc.mint,
          destination: account,
          authority: payer,
          amount: 1000n,
          decimals: 6,
        }),
      ],
      { feePayer: payer },
    )
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    expect(await errorOf(gate, '/api/search', header)).toBe('verify_recipient_mismatch')
  })

  test('error: a transfer that is moved out again in the same transaction pays nothing', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const recipient = devnet.accounts[9]!.signer
    // payTo co-signs a transfer of the same 1000 onward to account 8: its balance ends where it began.
    const onward = getTransferCheckedInstruction({
      source: await devnet.tokenAccount('usdc', payTo),
      mint: devnet.tokens.usdc.mint,
      destination: await devnet.tokenAccount('usdc', devnet.accounts[8]!.address),
      authority: recipient,
      amount: 1000n,
      decimals: 6,
    })
    const paid = await transferToken(devnet, { from: 0, to: payTo, amount: 1000n, extra: [onward] })
    expect(paid.err).toBeNull()
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    const { body } = await rejection(
      await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })),
    )
    expect(body).toMatchObject({
      error: 'verify_amount_insufficient',
      message: 'The transfer paid 0 atomic units; 1000 are required.',
    })
  })

  test('error: SOL moved out again in the same transaction pays nothing', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/native', 'GET', 'native')
    const payer = devnet.accounts[0]!.signer
    const paid = await devnet.send(
      [
        getTransferSolInstruction({ source: payer, destination: payTo, amount: 1_000_000n }),
        getTransferSolInstruction({
          source: devnet.accounts[9]!.signer,
          destination: devnet.accounts[8]!.address,
          amount: 1_000_000n,
        }),
      ],
      { feePayer: payer },
    )
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    expect(await errorOf(gate, '/api/native', header)).toBe('verify_amount_insufficient')
  })

  test('error: what someone else transferred in the same transaction does not count for the payer', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const [first, second] = [devnet.accounts[0]!.signer, devnet.accounts[1]!.signer]
    const destination = await devnet.tokenAccount('usdc', payTo)
    const half = async (authority: typeof first) =>
      getTransferCheckedInstruction({
        source: await devnet.tokenAccount('usdc', authority.address),
        mint: devnet.tokens.usdc.mint,
        destination,
        authority,
        amount: 500n,
        decimals: 6,
      })
    const paid = await devnet.send([await half(first), await half(second)], { feePayer: first })
    expect(paid.err).toBeNull()
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    const { body } = await rejection(
      await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })),
    )
    expect(body).toMatchObject({
      error: 'verify_amount_insufficient',
      message: 'The transfer paid 500 atomic units; 1000 are required.',
    })
  })

  test('error: short amount', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transferToken(devnet, { from: 0, to: payTo, amount: 999n })
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    const { body } = await rejection(
      await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })),
    )
    expect(body).toMatchObject({
      error: 'verify_amount_insufficient',
      message: 'The transfer paid 999 atomic units; 1000 are required.',
    })
  })

  test('behavior: several transfers by the payer in one transaction add up', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    // Two transfers of 500 in one transaction: 1000 in all.
    const payer = devnet.accounts[4]!.signer
    const token = devnet.tokens.usdc
    const [source] = await findAssociatedTokenPda({
      owner: payer.address,
      mint: token.mint,
      tokenProgram: token.programAddress,
    })
    const [destination] = await findAssociatedTokenPda({
      owner: payTo,
      mint: token.mint,
      tokenProgram: token.programAddress,
    })
    const half = getTransferCheckedInstruction({
      source,
      mint: token.mint,
      destination,
      authority: payer,
      amount: 500n,
      decimals: 6,
    })
    const paid = await devnet.send([half, { ...half }], { feePayer: payer })
    const header = await solanaProofHeader(devnet, { signer: 4, requirements, transaction: paid.signature })
    expect(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).toMatchObject({
      outcome: 'paid',
      receipt: { amount: '1000' },
    })
  })

  test('error: the right amount of a different mint, or SOL instead of the token', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const wrongMint = await transferToken(devnet, { from: 0, to: payTo, amount: 1000n, token: 'usdc2022' })
    const header = await solanaProofHeader(devnet, {
      signer: 0,
      requirements,
      transaction: wrongMint.signature,
    })
    expect(await errorOf(gate, '/api/search', header)).toBe('verify_asset_mismatch')
    const sol = await transferSol(devnet, { from: 0, to: payTo, amount: 1000n })
    const solHeader = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: sol.signature })
    expect(await errorOf(gate, '/api/search', solHeader)).toBe('verify_asset_mismatch')
  })

  test('error: a transfer in a failed transaction', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    // More than account 5 holds: without preflight the transaction lands, fails, and pays its fee.
    const failed = await transferToken(devnet, {
      from: 5,
      to: payTo,
      amount: 10n ** 18n,
      skipPreflight: true,
    })
    expect(failed).toMatchObject({ landed: true, err: { InstructionError: [1, { Custom: 1 }] } })
    const header = await solanaProofHeader(devnet, { signer: 5, requirements, transaction: failed.signature })
    expect(await errorOf(gate, '/api/search', header)).toBe('verify_tx_failed')
  })

  test('error: outside the acceptance window', async () => {
    const paid = await transferToken(devnet, { from: 5, to: payTo, amount: 1000n })
    // The gate's clock is two hours ahead of the block; its window is one hour.
    const later = makeGate({ now: () => Date.now() + 2 * 3600_000 })
    const fresh = await challenge(later, '/api/search')
    const header = await solanaProofHeader(devnet, {
      signer: 5,
      requirements: fresh,
      transaction: paid.signature,
    })
    expect(await errorOf(later, '/api/search', header)).toBe('verify_outside_window')
  })

  test('error: a block time ahead of the gate clock (beyond the skew) is outside the window', async () => {
    const ahead = await startSolanaDevnet({ accounts: 1 })
    try {
      ahead.advanceTime(600)
      const paid = await transferToken(ahead, { from: 0, to: payTo, amount: 1000n })
      const blockTime = (ahead.getTransaction(paid.signature) as { blockTime: bigint }).blockTime
      expect(Number(blockTime)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 599)
      const gate = aheadGate(ahead)
      const requirements = await challenge(gate, '/api/search', 'GET', ahead.tokens.usdc.mint)
      const header = await solanaProofHeader(ahead, { signer: 0, requirements, transaction: paid.signature })
      expect(await errorOf(gate, '/api/search', header)).toBe('verify_outside_window')
      // The same proof, presented to a gate whose clock agrees with the chain, is accepted.
      const agreeing = aheadGate(ahead, 600_000)
      const fresh = await challenge(agreeing, '/api/search', 'GET', ahead.tokens.usdc.mint)
      const accepted = await solanaProofHeader(ahead, {
        signer: 0,
        requirements: fresh,
        transaction: paid.signature,
      })
      expect((await agreeing.check(request('/api/search', { 'PAYMENT-SIGNATURE': accepted }))).outcome).toBe(
        'paid',
      )
    } finally {
      await ahead.stop()
    }
  })

  test('error: a proof presented by someone other than the payer is refused, and the payer can still use it', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transferToken(devnet, { from: 6, to: payTo, amount: 1000n })
    // A watcher of the recipient's account sees the signature and signs a proof with its own key.
    const stolen = await solanaProofHeader(devnet, { signer: 7, requirements, transaction: paid.signature })
    expect(await errorOf(gate, '/api/search', stolen)).toBe('verify_payer_mismatch')
    const genuine = await solanaProofHeader(devnet, { signer: 6, requirements, transaction: paid.signature })
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': genuine }))).outcome).toBe('paid')
  })

  test('error: malformed proofs are refused before any RPC', async () => {
    const gate = makeGate()
    const requirements = await challenge(gate, '/api/search')
    const paid = await transferToken(devnet, { from: 6, to: payTo, amount: 1000n })
    const valid = await solanaProofHeader(devnet, { signer: 6, requirements, transaction: paid.signature })
    const payload = JSON.parse(atob(valid)) as { payload: Record<string, string> }
    const tamper = (changes: Record<string, string>) =>
      btoa(JSON.stringify({ ...payload, payload: { ...payload.payload, ...changes } }))
    devnet.resetRpcStats()
    expect(await errorOf(gate, '/api/search', tamper({ signature: 'not-base58!' }))).toBe(
      'verify_signature_invalid',
    )
    expect(await errorOf(gate, '/api/search', tamper({ signature: '1'.repeat(40) }))).toBe(
      'verify_signature_invalid',
    )
    const bad = await rejection(
      await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': tamper({ transaction: '0xabc' }) })),
    )
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_payload'])
    expect(devnet.rpcStats().requests).toBe(0)
    // The proof is still usable by its payer afterwards.
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': valid }))).outcome).toBe('paid')
  })

  test('error: a transaction of another cluster, and an RPC node of another cluster', async () => {
    const other = await startSolanaDevnet({
      genesisHash: '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY',
      accounts: 1,
    })
    try {
      const gate = makeGate()
      const requirements = await challenge(gate, '/api/search')
      const paid = await transferToken(other, { from: 0, to: payTo, amount: 1000n })
      const header = await solanaProofHeader(other, { signer: 0, requirements, transaction: paid.signature })
      const notFound = await rejection(
        await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })),
      )
      expect([notFound.body.error, notFound.response.headers.get('retry-after')]).toEqual([
        'verify_tx_not_found',
        '1',
      ])
      // A gate whose RPC serves another cluster fails closed.
      const misconfigured = makeGate({}, { rpcUrl: other.rpcUrl })
      const fresh = await challenge(misconfigured, '/api/search')
      const proof = await solanaProofHeader(other, {
        signer: 0,
        requirements: fresh,
        transaction: paid.signature,
      })
      const refused = await rejection(
        await misconfigured.check(request('/api/search', { 'PAYMENT-SIGNATURE': proof })),
      )
      expect([refused.status, refused.body.error]).toEqual([503, 'rpc_unavailable'])
      expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      await other.stop()
    }
  })

  test('error: RPC down -> 503 with Retry-After, never admitted', async () => {
    const store = createMemoryStore()
    const gate = makeGate({ store }, { rpcUrl: 'http://127.0.0.1:9', rpcTimeoutMs: 500 })
    const requirements = await challenge(gate, '/api/search')
    const paid = await transferToken(devnet, { from: 0, to: payTo, amount: 1000n })
    const header = await solanaProofHeader(devnet, { signer: 0, requirements, transaction: paid.signature })
    const down = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect([down.status, down.body.error]).toEqual([503, 'rpc_unavailable'])
    expect(Number(down.response.headers.get('retry-after'))).toBeGreaterThan(0)
    // The claim was released: the same proof is accepted once the node answers.
    expect(
      (await makeGate({ store }).check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).outcome,
    ).toBe('paid')
  })

  test('behavior: a handler that fails with 5xx releases the proof for a retry; once served, the same proof is replayed', async () => {
    const gate = makeGate()
    const { header } = await pay(gate, '/api/search')
    let calls = 0
    const handler = async () => {
      calls++
      return calls === 1 ? new Response('boom', { status: 500 }) : Response.json({ results: [] })
    }
    expect((await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)).status).toBe(
      500,
    )
    expect((await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)).status).toBe(
      200,
    )
    // Served once: the same proof gets the kept response again, nothing runs.
    const replayed = await gate.handle(request('/api/search', { 'PAYMENT-SIGNATURE': header }), handler)
    expect([replayed.status, replayed.headers.get('payment-replay')]).toEqual([200, 'true'])
    expect(calls).toBe(2)
  })
})

describe('gate with the finalized commitment', () => {
  let slow: SolanaDevnet
  beforeAll(async () => {
    slow = await startSolanaDevnet({ accounts: 2, finalizeAfterSlots: 32 })
  })
  afterAll(async () => {
    await slow?.stop()
  })

  test('error: not yet finalized, then admitted with the same proof once finalized', async () => {
    const gate = createGate({
      logger: quietLogger,
      routes: { 'GET /api/search': { price: '$0.001' } },
      payTo: slow.accounts[1]!.address,
      networks: [solanaNetwork({ network: slow.network, rpcUrl: slow.rpcUrl, commitment: 'finalized' })],
      secret: SECRET,
      registry: solanaRegistry(slow),
    })
    const decision = await gate.check(request('/api/search'))
    const requirements = decodePaymentRequiredHeader(
      (decision as GateRejected).response.headers.get('PAYMENT-REQUIRED')!,
    ).accepts[0]!
    const paid = await transferToken(slow, { from: 0, to: slow.accounts[1]!.address, amount: 1000n })
    const header = await solanaProofHeader(slow, { signer: 0, requirements, transaction: paid.signature })
    const early = await rejection(await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
    expect([early.body.error, early.response.headers.get('retry-after')]).toEqual([
      'verify_tx_not_found',
      '13',
    ])
    slow.advanceSlots(32)
    expect((await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))).outcome).toBe('paid')
  })
})

describe('gate claims on Solana', () => {
  /** A proof of `transaction` signed by `signer`, naming `payer` in the hint (or no one). */
  async function proofBy(
    signer: Awaited<ReturnType<typeof generateKeyPairSigner>>,
    requirements: PaymentRequirements,
    transaction: string,
    payer: string | undefined,
  ): Promise<string> {
    const challenge = requirements.extra.challenge as string
    const message = createProofMessage({ network: requirements.network, transaction, challenge })
    return encodePaymentSignatureHeader({
      x402Version: 2,
      accepted: requirements,
      payload: {
        transaction,
        challenge,
        signature: await signProof(signer, message),
        ...(payer === undefined ? {} : { payer }),
      },
    })
  }

  test("behavior: strangers flooding proofs of the payer's transaction behind a held RPC never block the payer", async () => {
    const proxy = await startHeldRpcProxy(devnet.rpcUrl)
    try {
      const gate = makeGate({}, { rpcUrl: proxy.url })
      const requirements = await challenge(gate, '/api/search')
      const victim = devnet.accounts[2]!.signer
      const paid = await transferToken(devnet, { from: 2, to: payTo, amount: BigInt(requirements.amount) })
      const strangers = await Promise.all(Array.from({ length: 8 }, () => generateKeyPairSigner()))
      // Half name themselves as the payer (their own key checks out offline), half name no one.
      const bogus = await Promise.all(
        strangers.map((stranger, index) =>
          proofBy(stranger, requirements, paid.signature, index % 2 === 0 ? stranger.address : undefined),
        ),
      )
      // A stranger naming the victim as payer is refused offline: it holds no claim at all.
      const impostor = await rejection(
        await gate.check(
          request('/api/search', {
            'PAYMENT-SIGNATURE': await proofBy(strangers[0]!, requirements, paid.signature, victim.address),
          }),
        ),
      )
      expect([impostor.status, impostor.body.error]).toEqual([402, 'verify_signature_invalid'])

      proxy.hold()
      const early = bogus.map((header) => gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })))
      // Each stranger holds only its own claim, so all eight reach the RPC; none is answered first.
      expect(
        await Promise.race([
          proxy.parked(8).then(() => 'all verifying'),
          Promise.any(early).then((decision) => `one decided ${decision.outcome}`),
        ]),
      ).toBe('all verifying')
      const header = await proofBy(victim, requirements, paid.signature, victim.address)
      const payer = gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header }))
      const first = await Promise.race([
        proxy.parked(9).then(() => 'verifying'),
        payer.then((decision) => `decided ${decision.outcome}`),
      ])
      expect(first).toBe('verifying')
      proxy.release()

      const decision = await payer
      expect(decision.outcome).toBe('paid')
      if (decision.outcome === 'paid') {
        expect(decision.receipt).toMatchObject({ payer: victim.address, transaction: paid.signature })
        await decision.complete(200)
      }
      for (const refused of await Promise.all(early)) {
        const { status, body } = await rejection(refused)
        expect([status, body.error]).toEqual([402, 'verify_payer_mismatch'])
      }
      // Spent: a replay is refused before any RPC.
      const forwarded = proxy.forwarded()
      const replay = await rejection(
        await gate.check(request('/api/search', { 'PAYMENT-SIGNATURE': header })),
      )
      expect([replay.status, replay.body.error]).toEqual([402, 'payment_already_used'])
      expect(proxy.forwarded()).toBe(forwarded)
    } finally {
      proxy.release()
      await proxy.close()
    }
  })
})
