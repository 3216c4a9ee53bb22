import { describe, expect, test } from 'vitest'
import { buildPaymentChallenge } from './build-payment-challenge.js'
import { decodeBase64UrlJson } from './decode-base64url-json.js'
import { decodeMppChargeRequest } from './decode-mpp-charge-request.js'
import { encodeMppChargeRequest } from './encode-mpp-charge-request.js'
import { parsePaymentChallenges } from './parse-payment-challenges.js'
import { parseRfc3339 } from './parse-rfc3339.js'
import type { MppChallenge, MppEvmChargeRequest } from './types.js'

const token = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const payTo = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const chargeRequest: MppEvmChargeRequest = {
  amount: '1000',
  currency: token,
  recipient: payTo,
  methodDetails: { chainId: 31337, credentialTypes: ['authorization'], decimals: 6 },
}
const challenge: MppChallenge = {
  id: 'x7Tg2pLqR9mKvNwY3hBcZa',
  realm: 'api.example.com',
  method: 'evm',
  intent: 'charge',
  request: encodeMppChargeRequest(chargeRequest),
  expires: '2025-01-15T12:05:00Z',
  description: 'Search "the web" \\ fast',
}

// The draft's example challenge (section "Example Challenge"), its folded lines joined.
const draftExample =
  'Payment id="x7Tg2pLqR9mKvNwY3hBcZa", realm="api.example.com", method="example", intent="charge", ' +
  'expires="2025-01-15T12:05:00Z", ' +
  'request="eyJhbW91bnQiOiIxMDAwIiwiY3VycmVuY3kiOiJVU0QiLCJyZWNpcGllbnQiOiJhY2N0XzEyMyJ9"'

describe('Payment challenges', () => {
  test('default: build then parse round trips', () => {
    const header = buildPaymentChallenge(challenge)
    expect(header).toMatch(/^Payment id="x7Tg2pLqR9mKvNwY3hBcZa", realm="api.example.com", method="evm"/)
    expect(header).toContain('description="Search \\"the web\\" \\\\ fast"')
    expect(parsePaymentChallenges(header)).toEqual({ challenges: [challenge], invalid: [] })
  })

  test('behavior: the draft example parses, its request is canonical JSON', () => {
    const { challenges } = parsePaymentChallenges(draftExample)
    expect(challenges).toHaveLength(1)
    expect(challenges[0]).toMatchObject({ id: 'x7Tg2pLqR9mKvNwY3hBcZa', method: 'example', intent: 'charge' })
    expect(decodeBase64UrlJson('request', challenges[0]?.request, 4096, 'mpp_challenge_malformed')).toEqual({
      amount: '1000',
      currency: 'USD',
      recipient: 'acct_123',
    })
    // Not an EVM request: the EVM decoder refuses it with a code.
    expect(() => decodeMppChargeRequest(challenges[0]?.request)).toThrow(
      expect.objectContaining({ code: 'mpp_challenge_malformed' }),
    )
    expect(parseRfc3339(challenges[0]?.expires)).toBe(Date.UTC(2025, 0, 15, 12, 5, 0))
  })

  test('behavior: several fields, other schemes mixed in, unknown parameters ignored', () => {
    const second = buildPaymentChallenge({ ...challenge, id: 'second', intent: 'session' })
    const parsed = parsePaymentChallenges([
      `Bearer realm="x", ${buildPaymentChallenge(challenge)}, Basic realm="y"`,
      `${second.replace('Payment ', 'payment ')}, custom=token`,
    ])
    expect(parsed.invalid).toEqual([])
    expect(parsed.challenges.map((one) => [one.id, one.intent])).toEqual([
      ['x7Tg2pLqR9mKvNwY3hBcZa', 'charge'],
      ['second', 'session'],
    ])
  })

  test('behavior: a broken Payment challenge is reported, the good ones kept', () => {
    const parsed = parsePaymentChallenges(
      `Payment id="", realm="r", method="evm", intent="charge", request="abc", ${buildPaymentChallenge(challenge)}, ` +
        'Payment id="a", id="b", realm="r", method="evm", intent="charge", request="abc", ' +
        'Payment id="c", realm="r", method="EVM", intent="charge", request="abc", ' +
        'Payment id="d", realm="r", method="evm", intent="charge", request="a=", ' +
        'Payment id="e", realm="r", method="evm", intent="charge", request="abc", expires="2025-02-30T00:00:00Z", ' +
        'Payment abc==',
    )
    expect(parsed.challenges.map((one) => one.id)).toEqual(['x7Tg2pLqR9mKvNwY3hBcZa'])
    expect(parsed.invalid.map((error) => error.code)).toEqual(Array(6).fill('mpp_challenge_malformed'))
  })

  test('error: bounded sizes and field counts', () => {
    expect(() => parsePaymentChallenges(`Payment id="${'a'.repeat(9000)}"`)).toThrow(/at most 8192/)
    expect(() => parsePaymentChallenges(Array(17).fill('Payment id="a"'))).toThrow(/at most 16/)
    expect(() => buildPaymentChallenge({ ...challenge, description: 'x'.repeat(9000) })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    expect(() => buildPaymentChallenge({ ...challenge, description: 'caf\u00e9' })).toThrow(/printable ASCII/)
    expect(() => buildPaymentChallenge({ ...challenge, id: '' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })
})

describe('the EVM charge request', () => {
  test('default: canonical JSON, as the measured mppx server writes it, round trips', () => {
    const encoded = encodeMppChargeRequest({
      methodDetails: { decimals: 6, credentialTypes: ['authorization'], chainId: 31337 },
      recipient: payTo,
      currency: token,
      amount: '1000',
    })
    expect(
      new TextDecoder().decode(
        Uint8Array.from(atob(encoded.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
      ),
    ).toBe(
      `{"amount":"1000","currency":"${token}","methodDetails":{"chainId":31337,"credentialTypes":["authorization"],"decimals":6},"recipient":"${payTo}"}`,
    )
    expect(encoded).toBe(challenge.request)
    expect(decodeMppChargeRequest(encoded)).toEqual(chargeRequest)
  })

  test.each([
    [{ ...chargeRequest, amount: '01' }],
    [{ ...chargeRequest, amount: '1.5' }],
    [{ ...chargeRequest, currency: 'USD' }],
    [{ ...chargeRequest, methodDetails: { chainId: 0 } }],
    [{ ...chargeRequest, methodDetails: undefined }],
  ])('error: an invalid request is refused on both sides (%#)', (request) => {
    expect(() => encodeMppChargeRequest(request as MppEvmChargeRequest)).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    const raw = btoa(JSON.stringify(request)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
    expect(() => decodeMppChargeRequest(raw)).toThrow(
      expect.objectContaining({ code: 'mpp_challenge_malformed' }),
    )
  })
})
