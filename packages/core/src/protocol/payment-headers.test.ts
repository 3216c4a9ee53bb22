import { fc, test as property } from '@fast-check/vitest'
import {
  decodePaymentRequiredHeader as officialDecodePaymentRequired,
  decodePaymentResponseHeader as officialDecodePaymentResponse,
  encodePaymentResponseHeader as officialEncodePaymentResponse,
  x402HTTPClient,
} from '@x402/core/http'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { x402Client } from '@x402/fetch'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { decodePaymentRequiredHeader, encodePaymentRequiredHeader } from './payment-required-header.js'
import { decodePaymentResponseHeader, encodePaymentResponseHeader } from './payment-response-header.js'
import {
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
} from './payment-signature-header.js'
import type { PaymentRequired } from './types.js'

// A public anvil development key: test money only.
const payer = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const token = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const paymentRequired: PaymentRequired = {
  x402Version: 2,
  error: 'payment_required',
  resource: { url: 'http://127.0.0.1:4021/api/search', description: 'Search', mimeType: 'application/json' },
  accepts: [
    {
      scheme: 'exact',
      network: 'eip155:31337',
      asset: token,
      amount: '1000',
      payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      maxTimeoutSeconds: 60,
      extra: { name: 'USD Coin', version: '2' },
    },
  ],
}

function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (TollgateError.is(error)) return error.code
    throw error
  }
  throw new Error('expected a TollgateError')
}

describe('interop with the official x402 packages', () => {
  test('behavior: the official x402HTTPClient parses our PAYMENT-REQUIRED', () => {
    const header = encodePaymentRequiredHeader(paymentRequired)
    const parsed = new x402HTTPClient(new x402Client()).getPaymentRequiredResponse((name) =>
      name.toUpperCase() === 'PAYMENT-REQUIRED' ? header : null,
    )
    expect(parsed).toEqual(paymentRequired)
    expect(officialDecodePaymentRequired(header)).toEqual(paymentRequired)
  })

  test('behavior: we decode the PAYMENT-SIGNATURE the official client made for our 402', async () => {
    const client = new x402Client().register('eip155:*', new ExactEvmScheme(payer)).setSpendControls(false)
    const http = new x402HTTPClient(client)
    const header = encodePaymentRequiredHeader(paymentRequired)
    const parsed = http.getPaymentRequiredResponse((name) =>
      name.toUpperCase() === 'PAYMENT-REQUIRED' ? header : null,
    )
    const official = await client.createPaymentPayload(parsed)
    const headers = http.encodePaymentSignatureHeader(official)
    const value = headers['PAYMENT-SIGNATURE']
    expect(value).toBeTypeOf('string')
    const decoded = decodePaymentSignatureHeader(value as string)
    expect(decoded.accepted).toEqual(paymentRequired.accepts[0])
    expect(decoded.payload).toMatchObject({
      authorization: { from: payer.address, to: paymentRequired.accepts[0]?.payTo, value: '1000' },
    })
    expect(decoded.payload.signature).toMatch(/^0x[0-9a-f]{130}$/)
  })

  test('behavior: PAYMENT-RESPONSE round-trips both ways', () => {
    const settle = {
      success: true,
      transaction: `0x${'ab'.repeat(32)}`,
      network: 'eip155:31337' as const,
      payer: payer.address,
    }
    expect(decodePaymentResponseHeader(officialEncodePaymentResponse(settle))).toEqual(settle)
    expect(officialDecodePaymentResponse(encodePaymentResponseHeader(settle))).toEqual(settle)
  })
})

describe('decodePaymentSignatureHeader', () => {
  const payload = {
    x402Version: 2 as const,
    accepted: paymentRequired.accepts[0]!,
    payload: { transaction: `0x${'12'.repeat(32)}` },
  }

  test('default', () => {
    expect(decodePaymentSignatureHeader(encodePaymentSignatureHeader(payload))).toEqual(payload)
  })

  test('error: oversized header, checked before decoding', () => {
    expect(() => decodePaymentSignatureHeader('A'.repeat(9000))).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: The PAYMENT-SIGNATURE header is 9000 bytes; at most 8192 are accepted.]`,
    )
    expect(
      codeOf(() => decodePaymentSignatureHeader(encodePaymentSignatureHeader(payload), { maxBytes: 16 })),
    ).toBe('header_too_large')
  })

  test.each([['not base64!'], ['e30'], [btoa('{')], [btoa('\u00ff\u00fe')], ['']])(
    'error: %j is malformed',
    (value) => {
      expect(codeOf(() => decodePaymentSignatureHeader(value))).toBe('header_malformed')
    },
  )

  test('error: schema violations name the field', () => {
    const bad = { ...payload, accepted: { ...payload.accepted, amount: '1.5' } }
    expect(() =>
      decodePaymentSignatureHeader(encodePaymentSignatureHeader(bad)),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: The PAYMENT-SIGNATURE is invalid: accepted.amount must be a canonical decimal integer string.]`,
    )
    const badNetwork = { ...payload, accepted: { ...payload.accepted, network: 'base' } }
    expect(
      codeOf(() => decodePaymentSignatureHeader(encodePaymentSignatureHeader(badNetwork as never))),
    ).toBe('invalid_payload')
  })

  test('error: wrong protocol version', () => {
    expect(
      codeOf(() =>
        decodePaymentSignatureHeader(encodePaymentSignatureHeader({ ...payload, x402Version: 3 } as never)),
      ),
    ).toBe('invalid_x402_version')
  })

  test('behavior: v1 X-PAYMENT', () => {
    const v1 = {
      x402Version: 1 as const,
      scheme: 'exact',
      network: 'base-sepolia',
      payload: { signature: '0x' },
    }
    expect(decodeXPaymentHeader(encodeXPaymentHeader(v1))).toEqual(v1)
    expect(codeOf(() => decodeXPaymentHeader(encodePaymentSignatureHeader(payload)))).toBe(
      'invalid_x402_version',
    )
  })

  property.prop([fc.string({ maxLength: 300 })])(
    'property: random input only ever throws TollgateError',
    (value) => {
      for (const decode of [
        decodePaymentSignatureHeader,
        decodePaymentRequiredHeader,
        decodePaymentResponseHeader,
      ]) {
        try {
          decode(value)
        } catch (error) {
          expect(TollgateError.is(error)).toBe(true)
        }
      }
    },
  )

  property.prop([fc.jsonValue()])('property: any JSON only ever throws TollgateError', (json) => {
    const value = btoa(unescape(encodeURIComponent(JSON.stringify(json) ?? 'null')))
    try {
      decodePaymentSignatureHeader(value, { maxBytes: 1 << 20 })
    } catch (error) {
      expect(TollgateError.is(error)).toBe(true)
    }
  })
})
