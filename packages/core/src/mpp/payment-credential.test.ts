import { describe, expect, test } from 'vitest'
import { decodePaymentCredential } from './decode-payment-credential.js'
import { decodePaymentReceipt } from './decode-payment-receipt.js'
import { encodeBase64UrlJson } from './encode-base64url-json.js'
import { encodePaymentCredential } from './encode-payment-credential.js'
import { encodePaymentReceipt } from './encode-payment-receipt.js'
import { hasPaymentScheme } from './has-payment-scheme.js'
import { parseEvmAuthorizationPayload } from './parse-evm-authorization-payload.js'
import type { MppCredential, MppEvmAuthorizationPayload, MppReceipt } from './types.js'

// The draft's example credential (section "Example Credential").
const draftCredential =
  'Payment eyJjaGFsbGVuZ2UiOnsiaWQiOiJ4N1RnMnBMcVI5bUt2TndZM2hCY1phIiwicmVhbG0iOiJhcGkuZXhhbXBsZS5jb20iLCJtZXRob2QiOiJleGFtcGxlIiwiaW50ZW50IjoiY2hhcmdlIiwicmVxdWVzdCI6ImV5SmhiVzkxYm5RaU9pSXhNREF3SWl3aVkzVnljbVZ1WTNraU9pSlZVMFFpTENKeVpXTnBjR2xsYm5RaU9pSmhZMk4wWHpFeU15SjkiLCJleHBpcmVzIjoiMjAyNS0wMS0xNVQxMjowNTowMFoifSwicGF5bG9hZCI6eyJwcm9vZiI6IjB4YWJjMTIzLi4uIn19'

const authorization: MppEvmAuthorizationPayload = {
  type: 'authorization',
  from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  value: '1000',
  validAfter: '0',
  validBefore: '1743523500',
  nonce: `0x${'ab'.repeat(32)}`,
  signature: `0x${'cd'.repeat(65)}`,
}
const credential: MppCredential = {
  challenge: {
    id: 'aB3cDeF4gHiJkLmN',
    realm: 'api.example.com',
    method: 'evm',
    intent: 'charge',
    request: 'eyJhbW91bnQiOiIxMDAwIn0',
    expires: '2026-04-01T12:05:00Z',
  },
  payload: authorization,
  source: 'did:pkh:eip155:31337:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
}

describe('Payment credentials', () => {
  test('default: encode then decode round trips', () => {
    const header = encodePaymentCredential(credential)
    expect(header).toMatch(/^Payment [A-Za-z0-9_-]+$/)
    expect(decodePaymentCredential(header)).toEqual(credential)
    expect(parseEvmAuthorizationPayload(decodePaymentCredential(header).payload)).toEqual(authorization)
  })

  test('behavior: the draft example decodes', () => {
    const decoded = decodePaymentCredential(draftCredential)
    expect(decoded.challenge).toEqual({
      id: 'x7Tg2pLqR9mKvNwY3hBcZa',
      realm: 'api.example.com',
      method: 'example',
      intent: 'charge',
      request: 'eyJhbW91bnQiOiIxMDAwIiwiY3VycmVuY3kiOiJVU0QiLCJyZWNpcGllbnQiOiJhY2N0XzEyMyJ9',
      expires: '2025-01-15T12:05:00Z',
    })
    expect(decoded.payload).toEqual({ proof: '0xabc123...' })
  })

  test('behavior: the scheme is case-insensitive; other schemes are not ours', () => {
    const token = encodePaymentCredential(credential).slice('Payment '.length)
    expect(decodePaymentCredential(`payment  ${token} `)).toEqual(credential)
    expect(hasPaymentScheme(`PAYMENT ${token}`)).toBe(true)
    expect(hasPaymentScheme('Bearer abc')).toBe(false)
    expect(hasPaymentScheme('Payments abc')).toBe(false)
    expect(hasPaymentScheme(undefined)).toBe(false)
  })

  test.each([
    ['Bearer abc', 'not Payment'],
    ['Payment', 'no token'],
    [`Payment ${encodeBase64UrlJson(credential)}==`, 'padding'],
    [`Payment ${btoa(JSON.stringify(credential))}`, 'standard base64'],
    [`Payment ${encodeBase64UrlJson({ ...credential, payload: 'x' })}`, 'payload not an object'],
    [
      `Payment ${encodeBase64UrlJson({ ...credential, challenge: { ...credential.challenge, id: '' } })}`,
      'empty id',
    ],
    [
      `Payment ${encodeBase64UrlJson({ ...credential, challenge: { ...credential.challenge, expires: 'soon' } })}`,
      'expires',
    ],
    [`Payment ${encodeBase64UrlJson({ payload: {} })}`, 'no challenge'],
    [`Payment ${encodeBase64UrlJson([credential])}`, 'an array'],
    [`Payment ${'A'.repeat(9000)}`, 'too large'],
  ])('error: %s… is mpp_credential_malformed (%s)', (value) => {
    expect(() => decodePaymentCredential(value)).toThrow(
      expect.objectContaining({ code: 'mpp_credential_malformed' }),
    )
  })

  test.each([
    [{ ...authorization, nonce: '0x12' }],
    [{ ...authorization, value: '01' }],
    [{ ...authorization, from: 'alice' }],
    [{ ...authorization, signature: '0x1234' }],
    [{ ...authorization, validBefore: -1 }],
  ])('error: an invalid authorization payload is refused (%#)', (payload) => {
    expect(() => parseEvmAuthorizationPayload(payload)).toThrow(
      expect.objectContaining({ code: 'mpp_credential_malformed' }),
    )
  })

  test('error: another credential type is mpp_method_unsupported', () => {
    expect(() => parseEvmAuthorizationPayload({ type: 'permit2' })).toThrow(
      expect.objectContaining({ code: 'mpp_method_unsupported' }),
    )
  })
})

describe('Payment-Receipt', () => {
  const receipt: MppReceipt = {
    status: 'success',
    method: 'evm',
    reference: `0x${'12'.repeat(32)}`,
    timestamp: '2026-04-01T12:00:00.000Z',
    chainId: 31337,
    challengeId: 'aB3cDeF4gHiJkLmN',
  }

  test('default: encode then decode round trips', () => {
    expect(decodePaymentReceipt(encodePaymentReceipt(receipt))).toEqual(receipt)
  })

  test.each([
    [{ ...receipt, status: 'failed' }],
    [{ ...receipt, timestamp: 'yesterday' }],
    [{ ...receipt, reference: '' }],
  ])('error: an invalid receipt is refused on both sides (%#)', (bad) => {
    expect(() => encodePaymentReceipt(bad as MppReceipt)).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    expect(() => decodePaymentReceipt(encodeBase64UrlJson(bad))).toThrow(
      expect.objectContaining({ code: 'mpp_receipt_malformed' }),
    )
  })
})
