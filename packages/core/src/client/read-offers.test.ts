import { describe, expect, test } from 'vitest'
import { buildPaymentChallenge } from '../mpp/build-payment-challenge.js'
import { encodeBase64UrlJson } from '../mpp/encode-base64url-json.js'
import { encodeMppChargeRequest } from '../mpp/encode-mpp-charge-request.js'
import type { MppChallenge, MppEvmChargeRequest } from '../mpp/types.js'
import { encodePaymentRequiredHeader } from '../protocol/payment-required-header.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { readOffers } from './read-offers.js'

const token = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const payTo = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720'
const NOW = Date.parse('2026-01-15T12:00:00Z')
const request: MppEvmChargeRequest = {
  amount: '1000',
  currency: token,
  recipient: payTo,
  methodDetails: { chainId: 31337, credentialTypes: ['authorization'], decimals: 6 },
}
const challenge = (overrides: Partial<MppChallenge> = {}): MppChallenge => ({
  id: 'x7Tg2pLqR9mKvNwY3hBcZa',
  realm: 'api.example.com',
  method: 'evm',
  intent: 'charge',
  request: encodeMppChargeRequest(request),
  expires: '2026-01-15T12:05:00Z',
  ...overrides,
})
const exact: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:31337',
  asset: token,
  amount: '1000',
  payTo,
  maxTimeoutSeconds: 60,
  extra: { name: 'USD Coin', version: '2', pass: { ttlSeconds: 60 } },
}

function response(headers: { challenges?: string[]; x402?: string; body?: unknown }): Response {
  const out = new Headers({ 'content-type': 'application/problem+json' })
  for (const value of headers.challenges ?? []) out.append('WWW-Authenticate', value)
  if (headers.x402 !== undefined) out.set('PAYMENT-REQUIRED', headers.x402)
  return new Response(
    JSON.stringify(headers.body ?? { type: 'https://paymentauth.org/problems/payment-required' }),
    {
      status: 402,
      headers: out,
    },
  )
}

const both = { protocols: ['x402', 'mpp'] as const, now: NOW, fallbackSeconds: 120 }
const x402Header = encodePaymentRequiredHeader({
  x402Version: 2,
  resource: { url: 'http://x/' },
  accepts: [exact],
})

describe('readOffers', () => {
  test('default: x402 offers first, then one mpp offer per evm/charge challenge, valid until expires', async () => {
    const offers = await readOffers(
      response({ challenges: [buildPaymentChallenge(challenge())], x402: x402Header }),
      both,
    )
    expect(offers.paymentRequired.accepts).toHaveLength(2)
    expect(offers.paymentRequired.accepts[1]).toEqual({
      scheme: 'mpp',
      network: 'eip155:31337',
      asset: token,
      amount: '1000',
      payTo,
      maxTimeoutSeconds: 300,
      // The mirrored x402 offer sells a pass, so this one does too.
      extra: { mppChallenge: challenge(), decimals: 6, pass: { ttlSeconds: 60 } },
    })
    expect(offers.skipped).toEqual([])
    expect(offers.mppProblem).toBe('payment-required')
  })

  test('behavior: only the protocols spoken are read', async () => {
    const http = () => response({ challenges: [buildPaymentChallenge(challenge())], x402: x402Header })
    const x402Only = await readOffers(http(), { ...both, protocols: ['x402'] })
    expect(x402Only.paymentRequired.accepts.map((offer) => offer.scheme)).toEqual(['exact'])
    const mppOnly = await readOffers(http(), { ...both, protocols: ['mpp'] })
    expect(mppOnly.paymentRequired.accepts.map((offer) => offer.scheme)).toEqual(['mpp'])
  })

  test('behavior: a broken side is skipped and the other stays payable', async () => {
    const brokenX402 = await readOffers(
      response({ challenges: [buildPaymentChallenge(challenge())], x402: '!!not base64!!' }),
      both,
    )
    expect(brokenX402.paymentRequired.accepts.map((offer) => offer.scheme)).toEqual(['mpp'])
    expect(brokenX402.skipped).toEqual([{ offer: 'x402', reason: 'header_malformed' }])
    const brokenMpp = await readOffers(
      response({ challenges: ['Payment id="", realm="r", method="evm"'], x402: x402Header }),
      both,
    )
    expect(brokenMpp.paymentRequired.accepts.map((offer) => offer.scheme)).toEqual(['exact'])
    expect(brokenMpp.skipped).toEqual([{ offer: 'mpp', reason: 'mpp_challenge_malformed' }])
  })

  test('error: nothing readable at all throws the x402 reading error', async () => {
    await expect(readOffers(response({ body: { nothing: true } }), both)).rejects.toMatchObject({
      code: 'invalid_x402_version',
    })
  })

  test.each([
    ['another method (the draft example)', challenge({ method: 'example' }), 'mpp_method_unsupported'],
    ['another intent', challenge({ intent: 'session' }), 'mpp_method_unsupported'],
    [
      'no authorization credential',
      challenge({ request: encodeMppChargeRequest({ ...request, methodDetails: { chainId: 31337 } }) }),
      'mpp_method_unsupported',
    ],
    [
      'splits',
      challenge({
        request: encodeMppChargeRequest({
          ...request,
          methodDetails: { ...request.methodDetails, splits: [{ recipient: token, amount: '10' }] },
        }),
      }),
      'mpp_method_unsupported',
    ],
    [
      'a request that is not a charge request',
      challenge({ request: encodeBase64UrlJson({ amount: '1' }) }),
      'mpp_challenge_malformed',
    ],
  ])('error: %s is skipped with a stable reason', async (_name, entry, reason) => {
    const offers = await readOffers(response({ challenges: [buildPaymentChallenge(entry)] }), both)
    expect(offers.paymentRequired.accepts).toEqual([])
    expect(offers.skipped).toEqual([{ offer: `mpp:${entry.method}/${entry.intent}`, reason }])
  })

  test('behavior: several challenges in one field and a stable error code in the body', async () => {
    const second = challenge({
      id: 'second',
      request: encodeMppChargeRequest({ ...request, amount: '2000' }),
    })
    const offers = await readOffers(
      response({
        challenges: [`${buildPaymentChallenge(challenge())}, ${buildPaymentChallenge(second)}`],
        body: { type: 'https://paymentauth.org/problems/invalid-challenge', error: 'payment_already_used' },
      }),
      both,
    )
    expect(offers.paymentRequired.accepts.map((offer) => offer.amount)).toEqual(['1000', '2000'])
    expect(offers.mppProblem).toBe('payment_already_used')
  })
})
