import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { createPaymentRequiredResponse } from './create-payment-required-response.js'
import { readPaymentRequired } from './read-payment-required.js'
import type { PaymentRequired } from './types.js'

const paymentRequired: PaymentRequired = {
  x402Version: 2,
  resource: { url: 'https://api.example.com/search' },
  accepts: [
    {
      scheme: 'exact',
      network: 'eip155:8453',
      asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      amount: '1000',
      payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      maxTimeoutSeconds: 60,
      extra: { name: 'USD Coin', version: '2' },
    },
  ],
}

describe('createPaymentRequiredResponse', () => {
  test('default', async () => {
    const response = createPaymentRequiredResponse(paymentRequired, { message: 'Search costs $0.001.' })
    expect(response.status).toBe(402)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.clone().json()).toMatchObject({
      error: 'payment_required',
      message: 'Search costs $0.001.',
      accepts: paymentRequired.accepts,
    })
    const read = await readPaymentRequired(response)
    expect(read).toEqual({
      x402Version: 2,
      paymentRequired: { ...paymentRequired, error: 'payment_required' },
    })
  })

  test('behavior: an error sets its code, message and Retry-After', async () => {
    const error = new TollgateError('verify_unconfirmed', 'Wait for 2 more blocks.', { retryAfter: 4 })
    const response = createPaymentRequiredResponse(paymentRequired, { error })
    expect(response.headers.get('retry-after')).toBe('4')
    expect(await response.json()).toMatchObject({
      error: 'verify_unconfirmed',
      message: 'Wait for 2 more blocks.',
    })
  })
})

describe('readPaymentRequired', () => {
  test('behavior: reads a v1 JSON body and maps networks to CAIP-2', async () => {
    const body = {
      x402Version: 1,
      error: 'X-PAYMENT header is required',
      accepts: [
        {
          scheme: 'exact',
          network: 'base-sepolia',
          maxAmountRequired: '10000',
          resource: 'https://api.example.com/weather',
          description: 'Weather',
          mimeType: 'application/json',
          payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          maxTimeoutSeconds: 60,
          asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
          extra: { name: 'USDC', version: '2' },
        },
        {
          ...{ scheme: 'exact', network: 'no-such-chain', maxAmountRequired: '1', resource: 'x' },
          payTo: 'x',
          maxTimeoutSeconds: 1,
          asset: 'x',
        },
      ],
    }
    const read = await readPaymentRequired(new Response(JSON.stringify(body), { status: 402 }))
    expect(read.x402Version).toBe(1)
    expect(read.paymentRequired.accepts).toEqual([
      {
        scheme: 'exact',
        network: 'eip155:84532',
        asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
        amount: '10000',
        payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        maxTimeoutSeconds: 60,
        extra: { name: 'USDC', version: '2' },
      },
    ])
    expect(read.v1Accepts?.[0]?.network).toBe('base-sepolia')
    expect(read.paymentRequired.resource).toEqual({
      url: 'https://api.example.com/weather',
      description: 'Weather',
      mimeType: 'application/json',
    })
  })

  test('error: no header and no JSON', async () => {
    await expect(readPaymentRequired(new Response('nope', { status: 402 }))).rejects.toMatchObject({
      code: 'header_malformed',
    })
  })

  test('error: an oversized body is not buffered', async () => {
    const huge = new Response('x'.repeat(100_000), { status: 402 })
    await expect(readPaymentRequired(huge)).rejects.toMatchObject({ code: 'header_too_large' })
  })
})
