import { describe, expect, test } from 'vitest'
import {
  createPaymentIdentifier,
  declarePaymentIdentifier,
  isPaymentIdentifier,
  readPaymentIdentifier,
  withPaymentIdentifier,
} from './payment-identifier.js'
import type { PaymentPayload } from './types.js'

const accepted = {
  scheme: 'exact',
  network: 'eip155:8453' as const,
  asset: '0x0000000000000000000000000000000000000001',
  amount: '10000',
  payTo: '0x0000000000000000000000000000000000000002',
  maxTimeoutSeconds: 60,
  extra: {},
}
const payloadWith = (extensions?: Record<string, unknown>): PaymentPayload => ({
  x402Version: 2,
  accepted,
  payload: {},
  ...(extensions === undefined ? {} : { extensions }),
})

describe('payment-identifier', () => {
  test('default: a created identifier is valid, and a declared extension is echoed with it', () => {
    const id = createPaymentIdentifier()
    expect(id).toMatch(/^pay_[0-9a-f]{32}$/)
    expect(isPaymentIdentifier(id)).toBe(true)
    const extensions = withPaymentIdentifier({ 'payment-identifier': declarePaymentIdentifier() }, id)
    expect(extensions).toEqual({
      'payment-identifier': { info: { required: false, id }, schema: declarePaymentIdentifier().schema },
    })
    expect(readPaymentIdentifier(payloadWith(extensions))).toBe(id)
  })

  test('behavior: nothing is appended when the server declared no extension; no extension reads as none', () => {
    expect(withPaymentIdentifier(undefined, createPaymentIdentifier())).toBeUndefined()
    expect(withPaymentIdentifier({ bazaar: {} }, createPaymentIdentifier())).toBeUndefined()
    expect(readPaymentIdentifier(payloadWith())).toBeUndefined()
    expect(
      readPaymentIdentifier(payloadWith({ 'payment-identifier': { info: { required: true } } })),
    ).toBeUndefined()
  })

  test('error: identifiers of the wrong length or characters, or no info, are payment_identifier_invalid', () => {
    for (const id of ['short', 'x'.repeat(129), 'pay_with spaces_0123', 'pay_ünïcode_0123456', 42]) {
      expect(isPaymentIdentifier(id)).toBe(false)
      expect(() => readPaymentIdentifier(payloadWith({ 'payment-identifier': { info: { id } } }))).toThrow(
        expect.objectContaining({ code: 'payment_identifier_invalid' }),
      )
    }
    expect(isPaymentIdentifier('a'.repeat(16))).toBe(true)
    expect(isPaymentIdentifier(`${'A-_'.repeat(42)}xy`)).toBe(true)
    expect(() =>
      readPaymentIdentifier(payloadWith({ 'payment-identifier': 'pay_0123456789abcdef' })),
    ).toThrow(expect.objectContaining({ code: 'payment_identifier_invalid' }))
  })
})
