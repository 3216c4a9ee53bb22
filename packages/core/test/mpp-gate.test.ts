import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evmNetwork } from '../src/evm/evm-network.js'
import { createGate } from '../src/gate/create-gate.js'
import type { CreateGateOptions } from '../src/gate/types.js'
import { decodeMppChargeRequest } from '../src/mpp/decode-mpp-charge-request.js'
import { decodePaymentReceipt } from '../src/mpp/decode-payment-receipt.js'
import { encodeBase64UrlJson } from '../src/mpp/encode-base64url-json.js'
import { encodePaymentCredential } from '../src/mpp/encode-payment-credential.js'
import { decodePaymentRequiredHeader } from '../src/protocol/payment-required-header.js'
import { decodePaymentResponseHeader } from '../src/protocol/payment-response-header.js'
import { balanceOf, devnetRegistry, startDevnet } from './support/devnet-gate.js'
import { exactHeader, signExactPayload } from './support/exact-payment.js'
import { challengesOf, payChallenge } from './support/mpp-payment.js'
import { quietLogger } from './support/quiet-logger.js'

const SECRET = 'test-secret-test-secret-test-secret-0mpp'
const ORIGIN = 'http://127.0.0.1:4021'
let devnet: Devnet
let payTo: Address
let settler: LocalAccount

beforeAll(async () => {
  devnet = await startDevnet()
  payTo = devnet.accounts[9]!.address
  settler = privateKeyToAccount(devnet.accounts[7]!.privateKey)
})
afterAll(async () => {
  await devnet?.stop()
})

/** A payer nobody else uses, funded with `amount` USDC, so its Transfer events are this test's. */
async function freshPayer(amount = 1_000_000n): Promise<LocalAccount> {
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.mint('usdc', account.address, amount)
  return account
}

/** Transfers out of `payer` on chain. */
async function transfersFrom(payer: Address) {
  return devnet.publicClient.getContractEvents({
    address: devnet.tokens.usdc.address,
    abi: erc20Abi,
    eventName: 'Transfer',
    args: { from: payer },
    fromBlock: 0n,
  })
}

function setup(overrides: Partial<CreateGateOptions> = {}) {
  let clock = Date.now()
  const gate = createGate({
    logger: quietLogger,
    routes: {
      'GET /api/search': { price: '$0.01', description: 'Search' },
      'GET /api/other': { price: '$0.01' },
    },
    payTo,
    networks: [evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, tx: false, exact: { settler } })],
    secret: SECRET,
    registry: devnetRegistry(devnet),
    now: () => clock,
    ...overrides,
  })
  let runs = 0
  const serve = (headers: Record<string, string> = {}, path = '/api/search') =>
    gate.handle(new Request(`${ORIGIN}${path}`, { headers }), () => {
      runs++
      return Response.json({ results: ['paid'], run: runs })
    })
  const challenge = async (path = '/api/search') => {
    const response = await serve({}, path)
    expect(response.status).toBe(402)
    const usdc = challengesOf(response).find(
      (entry) =>
        decodeMppChargeRequest(entry.request).currency.toLowerCase() ===
        devnet.tokens.usdc.address.toLowerCase(),
    )
    expect(usdc).toBeDefined()
    return usdc!
  }
  return { gate, serve, challenge, runs: () => runs, advance: (ms: number) => (clock += ms) }
}

const errorOf = async (response: Response) => (await response.json()) as { error: string; type?: string }

describe('the gate speaks MPP (Payment auth scheme) beside x402', () => {
  test('default: the 402 carries x402 and one Payment challenge per exact offer, same price', async () => {
    const { serve } = setup()
    const response = await serve()
    expect(response.status).toBe(402)
    const x402 = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    const challenges = challengesOf(response)
    expect(challenges).toHaveLength(2)
    for (const [index, challenge] of challenges.entries()) {
      const offer = x402.accepts[index]!
      expect(challenge).toMatchObject({
        realm: '127.0.0.1:4021',
        method: 'evm',
        intent: 'charge',
        description: 'Search',
      })
      expect(decodeMppChargeRequest(challenge.request)).toEqual({
        amount: offer.amount,
        currency: offer.asset,
        recipient: offer.payTo,
        methodDetails: { chainId: 31337, credentialTypes: ['authorization'], decimals: index === 0 ? 6 : 18 },
      })
      const expires = Date.parse(challenge.expires!)
      expect(expires - Date.now()).toBeLessThanOrEqual(offer.maxTimeoutSeconds * 1000)
    }
    const body = await errorOf(response)
    expect(body).toMatchObject({
      type: 'https://paymentauth.org/problems/payment-required',
      status: 402,
      error: 'payment_required',
    })
  })

  test('behavior: paid once through MPP; the same credential again gets the kept answer, one Transfer', async () => {
    const payer = await freshPayer()
    const { serve, challenge, runs } = setup()
    const before = await balanceOf(devnet, devnet.tokens.usdc.address, payTo)
    const { header } = await payChallenge({ devnet, signer: payer, challenge: await challenge() })
    const paid = await serve({ Authorization: header })
    expect(paid.status).toBe(200)
    expect(await paid.json()).toEqual({ results: ['paid'], run: 1 })
    const receipt = decodePaymentReceipt(paid.headers.get('Payment-Receipt'))
    const settled = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE')!)
    expect(receipt).toMatchObject({
      status: 'success',
      method: 'evm',
      reference: settled.transaction,
      chainId: 31337,
    })
    const onChain = await devnet.publicClient.getTransactionReceipt({
      hash: receipt.reference as `0x${string}`,
    })
    expect(onChain.status).toBe('success')

    const again = await serve({ Authorization: header })
    expect(again.status).toBe(200)
    expect(again.headers.get('Payment-Replay')).toBe('true')
    expect(await again.json()).toEqual({ results: ['paid'], run: 1 })
    expect(decodePaymentReceipt(again.headers.get('Payment-Receipt')).reference).toBe(receipt.reference)
    expect(runs()).toBe(1)
    expect(await transfersFrom(payer.address)).toHaveLength(1)
    expect((await balanceOf(devnet, devnet.tokens.usdc.address, payTo)) - before).toBe(10_000n)
  })

  test('behavior: one payer pays two challenges of the same moment: two sales, two Transfers', async () => {
    const payer = await freshPayer()
    const { serve, challenge, runs } = setup()
    const [first, second] = await Promise.all([challenge(), challenge()])
    expect(first!.id).not.toBe(second!.id)
    for (const each of [first!, second!]) {
      const { header } = await payChallenge({ devnet, signer: payer, challenge: each })
      const response = await serve({ Authorization: header })
      expect([response.status, response.headers.get('Payment-Replay')]).toEqual([200, null])
    }
    expect(runs()).toBe(2)
    expect(await transfersFrom(payer.address)).toHaveLength(2)
  })

  test('behavior: an authorization paid through MPP, sent again as x402 PAYMENT-SIGNATURE, is not a second sale', async () => {
    const payer = await freshPayer()
    const { serve, challenge, runs } = setup()
    const paid = await payChallenge({ devnet, signer: payer, challenge: await challenge() })
    expect((await serve({ Authorization: paid.header })).status).toBe(200)
    const x402 = decodePaymentRequiredHeader((await serve()).headers.get('PAYMENT-REQUIRED')!).accepts[0]!
    const resent = await serve({
      'PAYMENT-SIGNATURE': exactHeader(x402, {
        signature: paid.signature,
        authorization: paid.authorization,
      }),
    })
    expect(resent.status).toBe(200)
    expect(resent.headers.get('Payment-Replay')).toBe('true')
    expect(runs()).toBe(1)
    expect(await transfersFrom(payer.address)).toHaveLength(1)
  })

  test('behavior: an authorization paid through x402, sent again as an MPP credential, is not a second sale', async () => {
    const payer = await freshPayer()
    const { serve, challenge, runs } = setup()
    // Bound to a challenge, so MPP would accept it; sold first through x402.
    const bound = await payChallenge({ devnet, signer: payer, challenge: await challenge() })
    const x402 = decodePaymentRequiredHeader((await serve()).headers.get('PAYMENT-REQUIRED')!).accepts[0]!
    const first = await serve({
      'PAYMENT-SIGNATURE': exactHeader(x402, {
        signature: bound.signature,
        authorization: bound.authorization,
      }),
    })
    expect(first.status).toBe(200)
    const resent = await serve({ Authorization: bound.header })
    expect(resent.status).toBe(200)
    expect(resent.headers.get('Payment-Replay')).toBe('true')
    expect(resent.headers.get('Payment-Receipt')).not.toBeNull()

    // A plain x402 authorization (random nonce) resent as MPP is refused before anything runs.
    const plain = await signExactPayload({ devnet, signer: payer, requirements: x402 })
    expect((await serve({ 'PAYMENT-SIGNATURE': exactHeader(x402, plain) })).status).toBe(200)
    const fresh = await challenge()
    const credential = encodePaymentCredential({
      challenge: fresh,
      payload: { type: 'authorization', ...plain.authorization, signature: plain.signature },
    })
    const refused = await serve({ Authorization: credential })
    expect(refused.status).toBe(402)
    expect(await errorOf(refused)).toMatchObject({
      error: 'mpp_challenge_mismatch',
      type: 'https://paymentauth.org/problems/invalid-challenge',
    })
    expect(challengesOf(refused)).toHaveLength(2)
    expect(runs()).toBe(2)
    expect(await transfersFrom(payer.address)).toHaveLength(2)
  })

  test('error: expired, forged, tampered, foreign-realm and other-route challenges are refused with codes', async () => {
    const payer = await freshPayer()
    const { serve, challenge, runs, advance } = setup()
    const good = await challenge()
    const other = await challenge('/api/other')
    const cases: [string, typeof good, string][] = [
      ['forged id', { ...good, id: `${good.id.slice(0, -2)}AA` }, 'mpp_challenge_invalid'],
      ['other realm', { ...good, realm: 'evil.example' }, 'mpp_challenge_invalid'],
      [
        'tampered request',
        { ...good, request: encodeBase64UrlJson({ ...decodeMppChargeRequest(good.request), amount: '1' }) },
        'mpp_challenge_invalid',
      ],
      ['other route', other, 'mpp_challenge_invalid'],
      ['another method', { ...good, method: 'tempo' }, 'mpp_method_unsupported'],
    ]
    for (const [name, bad, code] of cases) {
      const { header } = await payChallenge({ devnet, signer: payer, challenge: bad })
      const response = await serve({ Authorization: header })
      expect([name, response.status, (await errorOf(response)).error]).toEqual([name, 402, code])
      expect(challengesOf(response).length).toBe(2)
    }
    const late = await payChallenge({ devnet, signer: payer, challenge: good })
    advance(301_000)
    const expired = await serve({ Authorization: late.header })
    expect(expired.status).toBe(402)
    expect(await errorOf(expired)).toMatchObject({
      error: 'mpp_challenge_expired',
      type: 'https://paymentauth.org/problems/payment-expired',
    })
    expect(runs()).toBe(0)
    expect(await transfersFrom(payer.address)).toHaveLength(0)
  })

  test('behavior: odd header forms: scheme case and spaces, a malformed credential, a Bearer token of the caller', async () => {
    const payer = await freshPayer()
    const free = createGate({
      logger: quietLogger,
      routes: { 'GET /api/search': { price: '$0.01' } },
      payTo,
      networks: [
        evmNetwork({ network: devnet.network, rpcUrl: devnet.rpcUrl, tx: false, exact: { settler } }),
      ],
      secret: SECRET,
      registry: devnetRegistry(devnet),
    })
    let seen: string | null = null
    const open = await free.handle(
      new Request(`${ORIGIN}/public`, { headers: { Authorization: 'Bearer user-token' } }),
      (request) => {
        seen = request.headers.get('Authorization')
        return new Response('ok')
      },
    )
    expect([open.status, seen]).toEqual([200, 'Bearer user-token'])

    const { serve, challenge, runs } = setup()
    const bearer = await serve({ Authorization: 'Bearer user-token' })
    expect([bearer.status, (await errorOf(bearer)).error]).toEqual([402, 'payment_required'])
    const malformed = await serve({ Authorization: 'Payment not*base64url' })
    expect(await errorOf(malformed)).toMatchObject({
      error: 'mpp_credential_malformed',
      type: 'https://paymentauth.org/problems/malformed-credential',
    })
    expect(malformed.status).toBe(402)
    const { header } = await payChallenge({ devnet, signer: payer, challenge: await challenge() })
    const odd = await serve({ Authorization: `  pAyMeNt   ${header.slice('Payment '.length)}  ` })
    expect(odd.status).toBe(200)
    expect(runs()).toBe(1)
    expect(await transfersFrom(payer.address)).toHaveLength(1)
  })

  test('behavior: protocols turns each protocol off', async () => {
    const payer = await freshPayer()
    const both = setup()
    const { header } = await payChallenge({ devnet, signer: payer, challenge: await both.challenge() })
    const x402Only = setup({ protocols: ['x402'] })
    const ignored = await x402Only.serve({ Authorization: header })
    expect([ignored.status, ignored.headers.get('WWW-Authenticate'), (await errorOf(ignored)).error]).toEqual(
      [402, null, 'payment_required'],
    )
    const mppOnly = setup({ protocols: ['mpp'] })
    const offered = await mppOnly.serve()
    expect(offered.headers.get('PAYMENT-REQUIRED')).toBeNull()
    expect(challengesOf(offered)).toHaveLength(2)
    const x402 = decodePaymentRequiredHeader((await both.serve()).headers.get('PAYMENT-REQUIRED')!)
      .accepts[0]!
    const plain = await signExactPayload({ devnet, signer: payer, requirements: x402 })
    const unheard = await mppOnly.serve({ 'PAYMENT-SIGNATURE': exactHeader(x402, plain) })
    expect(unheard.status).toBe(402)
    expect(() => setup({ protocols: [] })).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    expect(x402Only.runs() + mppOnly.runs()).toBe(0)
    expect(await transfersFrom(payer.address)).toHaveLength(0)
  })
})
