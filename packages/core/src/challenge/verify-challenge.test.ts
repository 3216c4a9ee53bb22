import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test, vi } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { encodePass } from '../pass/encode-pass.js'
import { verifyPass } from '../pass/verify-pass.js'
import { signToken } from '../token/sign-token.js'
import type { ChallengeClaims } from './challenge-payload.js'
import { issueChallenge } from './issue-challenge.js'
import { verifyChallenge } from './verify-challenge.js'

const secret = 'tollgate-test-secret-0123456789abcdef'
const keyring = createKeyring({ current: { kid: 'k1', secret } })
const T = 1_700_000_000
const at = (seconds: number) => () => seconds * 1000
const claims: ChallengeClaims = {
  route: 'GET /weather/:city',
  network: 'eip155:8453',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payTo: '0x2222222222222222222222222222222222222222',
  amount: '10000',
}
const token = await issueChallenge(claims, { keyring, now: at(T), ttlSeconds: 300 })
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const wire = {
  v: 1,
  kid: 'k1',
  rt: claims.route,
  net: claims.network,
  ast: claims.asset,
  to: claims.payTo,
  amt: claims.amount,
  iat: T,
  exp: T + 300,
  n: 'AAAAAAAAAAAAAAAAAAAAAA',
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

const codeOf = async (promise: Promise<unknown>) => (await errorOf(promise)).code

describe('verifyChallenge', () => {
  test('default', async () => {
    expect(await verifyChallenge(token, { keyring, now: at(T), expected: claims })).toEqual({
      ...claims,
      kid: 'k1',
      issuedAt: T,
      expiresAt: T + 300,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    })
  })

  test('behavior: without expected, any bound values are returned', async () => {
    expect(await verifyChallenge(token, { keyring, now: at(T) })).toMatchObject(claims)
  })

  test('behavior: verifies with a previous key', async () => {
    const rotated = createKeyring({
      current: { kid: 'k2', secret: `${secret}-new` },
      previous: [{ kid: 'k1', secret }],
    })
    expect(await verifyChallenge(token, { keyring: rotated, now: at(T) })).toMatchObject({ kid: 'k1' })
  })

  test('behavior: clock skew is honoured at both edges', async () => {
    expect(await verifyChallenge(token, { keyring, now: at(T + 329) })).toMatchObject(claims)
    expect(await codeOf(verifyChallenge(token, { keyring, now: at(T + 330) }))).toBe('challenge_expired')
    expect(await verifyChallenge(token, { keyring, now: at(T - 30) })).toMatchObject(claims)
    expect(await codeOf(verifyChallenge(token, { keyring, now: at(T - 31) }))).toBe('challenge_invalid')
    expect(await codeOf(verifyChallenge(token, { keyring, now: at(T + 300), clockSkewSeconds: 0 }))).toBe(
      'challenge_expired',
    )
  })

  test('error: expired or from the future', async () => {
    expect(await errorOf(verifyChallenge(token, { keyring, now: at(T + 3600) }))).toMatchInlineSnapshot(
      `[TollgateError: The challenge expired at 1700000300; it is now 1700003600. Request a new price quote.]`,
    )
    expect(await errorOf(verifyChallenge(token, { keyring, now: at(T - 3600) }))).toMatchInlineSnapshot(
      `[TollgateError: The challenge claims to be issued at 1700000000, in the future; it is now 1699996400.]`,
    )
  })

  test.each([
    ['route', { route: 'GET /weather/:town' }],
    ['network', { network: 'eip155:1' }],
    ['asset', { asset: claims.asset.toLowerCase() }],
    ['payTo', { payTo: '0x3333333333333333333333333333333333333333' }],
    ['amount', { amount: '10001' }],
  ])('error: %s differs from expected', async (field, change) => {
    const error = await errorOf(
      verifyChallenge(token, { keyring, now: at(T), expected: { ...claims, ...change } }),
    )
    expect(error.code).toBe('challenge_mismatch')
    expect(error.details).toMatchObject({ field, fields: [field] })
  })

  test('error: mismatch message and details name every field', async () => {
    const expected = { ...claims, amount: '1', payTo: '0x3333333333333333333333333333333333333333' }
    const error = await errorOf(verifyChallenge(token, { keyring, now: at(T), expected }))
    expect(error).toMatchInlineSnapshot(
      `[TollgateError: The challenge was issued for payTo "0x2222222222222222222222222222222222222222", not "0x3333333333333333333333333333333333333333".]`,
    )
    expect(error.details).toMatchObject({ field: 'payTo', fields: ['payTo', 'amount'] })
  })

  test('error: unknown key or forged signature', async () => {
    const stranger = createKeyring({ current: { kid: 'k9', secret } })
    const foreign = await issueChallenge(claims, { keyring: stranger, now: at(T) })
    expect(await codeOf(verifyChallenge(foreign, { keyring, now: at(T) }))).toBe('challenge_invalid')
    const impostor = createKeyring({ current: { kid: 'k1', secret: `${secret}-impostor` } })
    const forged = await issueChallenge(claims, { keyring: impostor, now: at(T) })
    expect(await codeOf(verifyChallenge(forged, { keyring, now: at(T) }))).toBe('challenge_invalid')
  })

  test('error: purpose separation between passes and challenges', async () => {
    const pass = await encodePass(
      { sub: 'payer', scope: { routes: ['/**'] }, ttlSeconds: 60 },
      { keyring, now: at(T) },
    )
    expect(await codeOf(verifyChallenge(pass.token, { keyring, now: at(T) }))).toBe('challenge_invalid')
    expect(await codeOf(verifyPass(token, { keyring, now: at(T) }))).toBe('pass_signature_invalid')
    // The same well-formed challenge payload signed for the pass purpose is not a challenge.
    const passSigned = await signToken(wire, { keyring, purpose: 'pass' })
    expect(await codeOf(verifyChallenge(passSigned, { keyring, now: at(T) }))).toBe('challenge_invalid')
    expect(
      await verifyChallenge(await signToken(wire, { keyring, purpose: 'challenge' }), {
        keyring,
        now: at(T),
      }),
    ).toMatchObject(claims)
  })

  test.each<[string, Record<string, unknown>]>([
    ['unknown key', { ...wire, extra: 1 }],
    ['version 2', { ...wire, v: 2 }],
    ['numeric amount', { ...wire, amt: 10000 }],
    ['non-canonical amount', { ...wire, amt: '010000' }],
    ['empty route', { ...wire, rt: '' }],
    ['short nonce', { ...wire, n: 'AAAA' }],
    ['fractional exp', { ...wire, exp: T + 300.5 }],
    ['exp before iat', { ...wire, exp: T - 1 }],
    ['missing payTo', { ...wire, to: undefined }],
  ])('error: malformed payload (%s)', async (_, changed) => {
    const signed = await signToken({ ...changed, kid: 'k1' }, { keyring, purpose: 'challenge' })
    expect(await codeOf(verifyChallenge(signed, { keyring, now: at(T) }))).toBe('challenge_malformed')
  })

  test('error: oversized tokens are rejected before any crypto', async () => {
    const fresh = createKeyring({ current: { kid: 'k1', secret } })
    const spies = [
      vi.spyOn(crypto.subtle, 'verify'),
      vi.spyOn(crypto.subtle, 'sign'),
      vi.spyOn(crypto.subtle, 'importKey'),
    ]
    expect(
      await errorOf(verifyChallenge(`${token}${'A'.repeat(1025 - token.length)}`, { keyring: fresh })),
    ).toMatchInlineSnapshot(
      `[TollgateError: The challenge token is malformed: it has 1025 characters, expected 1 to 1024.]`,
    )
    expect(await codeOf(verifyChallenge('x'.repeat(1_000_000), { keyring: fresh }))).toBe(
      'challenge_malformed',
    )
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })

  test('error: invalid options', async () => {
    expect(await codeOf(verifyChallenge(token, { keyring, clockSkewSeconds: 1.5 }))).toBe('config_invalid')
    expect(await codeOf(verifyChallenge(token, { keyring, now: () => Number.POSITIVE_INFINITY }))).toBe(
      'config_invalid',
    )
  })

  test('error: exhaustive single-character changes', async () => {
    // Every change is checked; the ones answered otherwise are reported together, with where they were.
    const unexpected: string[] = []
    for (let position = 0; position < token.length; position++) {
      for (const character of `${BASE64URL}.=`) {
        if (character === token[position]) continue
        const changed = token.slice(0, position) + character + token.slice(position + 1)
        const { code } = await errorOf(verifyChallenge(changed, { keyring, now: at(T) }))
        if (!/^challenge_(malformed|invalid)$/.test(code))
          unexpected.push(`${position} ${character}: ${code}`)
      }
    }
    expect(unexpected).toEqual([])
  })

  property.prop([
    fc.nat(),
    fc.oneof(
      fc.constantFrom(...`${BASE64URL}.=+/ %\n`),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
  ])('property: every single-character change is rejected', async (index, character) => {
    const position = index % token.length
    fc.pre(character !== token[position])
    const changed = token.slice(0, position) + character + token.slice(position + 1)
    const error = await errorOf(verifyChallenge(changed, { keyring, now: at(T), expected: claims }))
    expect(error.code).toMatch(/^challenge_(malformed|invalid)$/)
  })

  property.prop([fc.string({ maxLength: 2000, unit: 'binary' })])(
    'property: random strings only ever throw a TollgateError',
    async (value) => {
      await expect(verifyChallenge(value, { keyring, now: at(T), expected: claims })).rejects.toSatisfy(
        TollgateError.is,
      )
    },
  )

  property.prop([
    fc.dictionary(
      fc.constantFrom('v', 'rt', 'net', 'ast', 'to', 'amt', 'iat', 'exp', 'n', 'x'),
      fc.jsonValue(),
    ),
  ])('property: correctly signed arbitrary payloads verify or throw a TollgateError', async (fields) => {
    const signed = await signToken({ ...wire, ...fields, kid: 'k1' }, { keyring, purpose: 'challenge' })
    try {
      await verifyChallenge(signed, { keyring, now: at(T), maxLength: 1_000_000, expected: claims })
    } catch (error) {
      expect(TollgateError.is(error)).toBe(true)
    }
  })
})
