import { describe, expect, test } from 'vitest'
import { base64UrlToBytes, bytesToUtf8 } from '../encoding/base64.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from '../keyring/create-keyring.js'
import type { ChallengeClaims } from './challenge-payload.js'
import { issueChallenge } from './issue-challenge.js'

const keyring = createKeyring({
  current: { kid: 'k1', secret: 'tollgate-test-secret-0123456789abcdef' },
})
const now = () => 1_700_000_000_000
const claims: ChallengeClaims = {
  route: 'GET /weather/:city',
  network: 'eip155:8453',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payTo: '0x2222222222222222222222222222222222222222',
  amount: '10000',
}

async function errorOf(promise: Promise<unknown>): Promise<TollgateError> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

describe('issueChallenge', () => {
  test('default', async () => {
    const token = await issueChallenge(claims, { keyring, now })
    expect(JSON.parse(bytesToUtf8(base64UrlToBytes(token.split('.')[0]!)!)!)).toEqual({
      v: 1,
      kid: 'k1',
      rt: 'GET /weather/:city',
      net: 'eip155:8453',
      ast: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      to: '0x2222222222222222222222222222222222222222',
      amt: '10000',
      iat: 1_700_000_000,
      exp: 1_700_000_300,
      n: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    })
  })

  test('behavior: every challenge is unique', async () => {
    expect(await issueChallenge(claims, { keyring, now })).not.toBe(
      await issueChallenge(claims, { keyring, now }),
    )
  })

  test('behavior: ttlSeconds', async () => {
    const token = await issueChallenge(claims, { keyring, now, ttlSeconds: 60 })
    expect(JSON.parse(bytesToUtf8(base64UrlToBytes(token.split('.')[0]!)!)!)).toMatchObject({
      exp: 1_700_000_060,
    })
  })

  test.each<[string, Partial<ChallengeClaims>, string]>([
    ['empty route', { route: '' }, 'config_invalid'],
    ['long payTo', { payTo: 'x'.repeat(257) }, 'config_invalid'],
    ['network not a string', { network: 8453 as unknown as string }, 'config_invalid'],
    ['decimal amount', { amount: '0.01' }, 'amount_invalid'],
    ['amount with leading zero', { amount: '010' }, 'amount_invalid'],
    ['negative amount', { amount: '-1' }, 'amount_invalid'],
  ])('error: %s', async (_, change, code) => {
    expect((await errorOf(issueChallenge({ ...claims, ...change }, { keyring, now }))).code).toBe(code)
  })

  test('error: invalid options', async () => {
    expect(await errorOf(issueChallenge(claims, { keyring, now, ttlSeconds: 0 }))).toMatchInlineSnapshot(
      `[TollgateError: \`ttlSeconds\` must be an integer from 1 to 86400, got 0.]`,
    )
    expect((await errorOf(issueChallenge(null as never, { keyring }))).code).toBe('config_invalid')
  })

  test('error: a token longer than verifiers accept', async () => {
    const long = { ...claims, route: 'r'.repeat(256), asset: 'a'.repeat(256), payTo: 'p'.repeat(256) }
    expect((await errorOf(issueChallenge(long, { keyring, now }))).code).toBe('config_invalid')
    expect(await issueChallenge(long, { keyring, now, maxLength: 2048 })).toEqual(expect.any(String))
  })
})
