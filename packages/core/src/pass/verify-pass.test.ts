import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test, vi } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { signToken } from '../token/sign-token.js'
import { type EncodePassClaims, encodePass } from './encode-pass.js'
import { verifyPass } from './verify-pass.js'

const oldSecret = 'tollgate-old-secret-0123456789abcdef'
const newSecret = 'tollgate-new-secret-0123456789abcdef'
const keyring = createKeyring({ current: { kid: 'k1', secret: oldSecret } })
const T = 1_700_000_000
const at = (seconds: number) => () => seconds * 1000
const claims: EncodePassClaims = {
  sub: '0x1111111111111111111111111111111111111111',
  scope: { routes: ['GET /weather/:city', 'POST /jobs/**'], origin: 'https://api.example.com' },
  ttlSeconds: 60,
}
const { token, payload } = await encodePass(claims, { keyring, now: at(T) })
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

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

describe('verifyPass', () => {
  test('default', async () => {
    expect(await verifyPass(token, { keyring, now: at(T + 10) })).toEqual(payload)
  })

  test('behavior: with a covered request', async () => {
    const request = { method: 'GET', url: 'https://api.example.com/weather/paris?units=si' }
    expect(await verifyPass(token, { keyring, now: at(T), request })).toEqual(payload)
    const job = { method: 'POST', url: 'https://api.example.com/jobs/1/run' }
    expect(await verifyPass(token, { keyring, now: at(T), request: job })).toEqual(payload)
  })

  test('behavior: clock skew is honoured at both edges', async () => {
    // exp = T + 60: valid while exp > now - skew.
    expect(await verifyPass(token, { keyring, now: () => (T + 89) * 1000 + 999 })).toEqual(payload)
    expect(await codeOf(verifyPass(token, { keyring, now: at(T + 90) }))).toBe('pass_expired')
    // iat = T: valid while iat <= now + skew.
    expect(await verifyPass(token, { keyring, now: at(T - 30) })).toEqual(payload)
    expect(await codeOf(verifyPass(token, { keyring, now: () => (T - 30) * 1000 - 1 }))).toBe(
      'pass_not_yet_valid',
    )
    // Without skew the edges are exact.
    const strict = { keyring, clockSkewSeconds: 0 }
    expect(await verifyPass(token, { ...strict, now: at(T + 59) })).toEqual(payload)
    expect(await codeOf(verifyPass(token, { ...strict, now: at(T + 60) }))).toBe('pass_expired')
    expect(await verifyPass(token, { ...strict, now: at(T) })).toEqual(payload)
    expect(await codeOf(verifyPass(token, { ...strict, now: at(T - 1) }))).toBe('pass_not_yet_valid')
    expect(await verifyPass(token, { keyring, clockSkewSeconds: 120, now: at(T + 179) })).toEqual(payload)
    expect(await codeOf(verifyPass(token, { keyring, clockSkewSeconds: 120, now: at(T + 180) }))).toBe(
      'pass_expired',
    )
  })

  test('error: expired and not yet valid', async () => {
    expect(await errorOf(verifyPass(token, { keyring, now: at(T + 3600) }))).toMatchInlineSnapshot(
      `[TollgateError: The pass expired at 1700000060; it is now 1700003600.]`,
    )
    expect(await errorOf(verifyPass(token, { keyring, now: at(T - 3600) }))).toMatchInlineSnapshot(
      `[TollgateError: The pass is valid from 1700000000, but it is now 1699996400.]`,
    )
  })

  test('behavior: rotation', async () => {
    const rotated = createKeyring({
      current: { kid: 'k2', secret: newSecret },
      previous: [{ kid: 'k1', secret: oldSecret }],
    })
    expect(await verifyPass(token, { keyring: rotated, now: at(T) })).toEqual(payload)
    const fresh = await encodePass(claims, { keyring: rotated, now: at(T) })
    expect(fresh.payload.kid).toBe('k2')
    expect(await verifyPass(fresh.token, { keyring: rotated, now: at(T) })).toEqual(fresh.payload)
    const retired = createKeyring({ current: { kid: 'k2', secret: newSecret } })
    expect(await verifyPass(fresh.token, { keyring: retired, now: at(T) })).toEqual(fresh.payload)
    expect(await errorOf(verifyPass(token, { keyring: retired, now: at(T) }))).toMatchInlineSnapshot(
      `[TollgateError: The pass token was signed by key "k1", which this keyring does not hold.]`,
    )
  })

  test('error: signed by a key the verifier does not hold', async () => {
    const stranger = createKeyring({ current: { kid: 'k9', secret: newSecret } })
    const foreign = await encodePass(claims, { keyring: stranger, now: at(T) })
    expect(await codeOf(verifyPass(foreign.token, { keyring, now: at(T) }))).toBe('pass_key_unknown')
    // Same kid, different secret: the kid is known, the MAC is not.
    const impostor = createKeyring({ current: { kid: 'k1', secret: newSecret } })
    const forged = await encodePass(claims, { keyring: impostor, now: at(T) })
    expect(await codeOf(verifyPass(forged.token, { keyring, now: at(T) }))).toBe('pass_signature_invalid')
  })

  test.each([
    ['method', { method: 'DELETE', url: 'https://api.example.com/weather/paris' }, 'route'],
    ['path', { method: 'GET', url: 'https://api.example.com/weather/paris/today' }, 'route'],
    ['path of another route', { method: 'GET', url: 'https://api.example.com/jobs/1' }, 'route'],
    ['origin scheme', { method: 'GET', url: 'http://api.example.com/weather/paris' }, 'origin'],
    ['origin host', { method: 'GET', url: 'https://evil.example.com/weather/paris' }, 'origin'],
    ['origin port', { method: 'GET', url: 'https://api.example.com:8443/weather/paris' }, 'origin'],
    ['relative URL', { method: 'GET', url: '/weather/paris' }, 'url'],
  ])('error: wrong scope (%s)', async (_, request, reason) => {
    const error = await errorOf(verifyPass(token, { keyring, now: at(T), request }))
    expect(error.code).toBe('pass_scope_mismatch')
    expect(error.details).toMatchObject({ reason })
  })

  test('error: scope messages', async () => {
    const route = { method: 'DELETE', url: 'https://api.example.com/weather/paris' }
    expect(await errorOf(verifyPass(token, { keyring, now: at(T), request: route }))).toMatchInlineSnapshot(
      `[TollgateError: The pass does not cover "DELETE /weather/paris".]`,
    )
    const origin = { method: 'GET', url: 'https://evil.example.com/weather/paris' }
    expect(await errorOf(verifyPass(token, { keyring, now: at(T), request: origin }))).toMatchInlineSnapshot(
      `[TollgateError: The pass is not valid at https://evil.example.com.]`,
    )
  })

  test('error: a challenge-purpose signature never verifies as a pass', async () => {
    const challengeSigned = await signToken(payload, { keyring, purpose: 'challenge' })
    expect(challengeSigned.split('.')[0]).toBe(token.split('.')[0])
    expect(await codeOf(verifyPass(challengeSigned, { keyring, now: at(T) }))).toBe('pass_signature_invalid')
  })

  // Correctly signed payloads that break the schema.
  test.each<[string, Record<string, unknown>]>([
    ['unknown key', { ...payload, admin: true }],
    ['unknown scope key', { ...payload, scope: { ...payload.scope, methods: ['GET'] } }],
    ['version 2', { ...payload, v: 2 }],
    ['fractional iat', { ...payload, iat: T + 0.5 }],
    ['string exp', { ...payload, exp: String(T + 60) }],
    ['exp equal to iat', { ...payload, exp: T }],
    ['no jti', { ...payload, jti: undefined }],
    ['empty routes', { ...payload, scope: { routes: [] } }],
    ['invalid route', { ...payload, scope: { routes: ['get /a'] } }],
    ['non-canonical origin', { ...payload, scope: { routes: ['/a'], origin: 'https://API.example.com' } }],
    ['zero uses', { ...payload, uses: 0 }],
    ['null uses', { ...payload, uses: null }],
    ['long sub', { ...payload, sub: 'x'.repeat(129) }],
  ])('error: malformed payload (%s)', async (_, changed) => {
    const signed = await signToken({ ...changed, kid: 'k1' }, { keyring, purpose: 'pass' })
    const error = await errorOf(verifyPass(signed, { keyring, now: at(T), maxLength: 4096 }))
    expect(error.code).toBe('pass_malformed')
  })

  test('error: malformed payload message names the field', async () => {
    const signed = await signToken({ ...payload, v: 2 }, { keyring, purpose: 'pass' })
    expect(await errorOf(verifyPass(signed, { keyring, now: at(T) }))).toMatchInlineSnapshot(
      `[TollgateError: The pass payload is invalid at "v".]`,
    )
  })

  test('error: oversized tokens are rejected before any crypto', async () => {
    const fresh = createKeyring({ current: { kid: 'k1', secret: oldSecret } })
    const spies = [
      vi.spyOn(crypto.subtle, 'verify'),
      vi.spyOn(crypto.subtle, 'sign'),
      vi.spyOn(crypto.subtle, 'importKey'),
      vi.spyOn(JSON, 'parse'),
    ]
    const oversized = `${token}${'A'.repeat(2049 - token.length)}`
    expect(await errorOf(verifyPass(oversized, { keyring: fresh, now: at(T) }))).toMatchInlineSnapshot(
      `[TollgateError: The pass token is malformed: it has 2049 characters, expected 1 to 2048.]`,
    )
    expect(await codeOf(verifyPass(token, { keyring: fresh, now: at(T), maxLength: token.length - 1 }))).toBe(
      'pass_malformed',
    )
    expect(await codeOf(verifyPass('x'.repeat(1_000_000), { keyring: fresh }))).toBe('pass_malformed')
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })

  test('error: invalid options', async () => {
    expect(await codeOf(verifyPass(token, { keyring, clockSkewSeconds: -1 }))).toBe('config_invalid')
    expect(await codeOf(verifyPass(token, { keyring, maxLength: 0 }))).toBe('config_invalid')
    expect(await codeOf(verifyPass(token, { keyring, now: () => Number.NaN }))).toBe('config_invalid')
  })

  test('error: not a string', async () => {
    for (const value of [undefined, null, 42, {}, ['a.b']]) {
      expect(await codeOf(verifyPass(value as unknown as string, { keyring }))).toBe('pass_malformed')
    }
  })

  test('error: exhaustive single-character changes', async () => {
    // Every change is checked; the ones answered otherwise are reported together, with where they were.
    const unexpected: string[] = []
    for (let position = 0; position < token.length; position++) {
      for (const character of `${BASE64URL}.=`) {
        if (character === token[position]) continue
        const changed = token.slice(0, position) + character + token.slice(position + 1)
        const { code } = await errorOf(verifyPass(changed, { keyring, now: at(T) }))
        if (!/^pass_(malformed|key_unknown|signature_invalid)$/.test(code))
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
    const error = await errorOf(verifyPass(changed, { keyring, now: at(T) }))
    expect(error.code).toMatch(/^pass_(malformed|key_unknown|signature_invalid)$/)
  })

  property.prop([fc.string({ maxLength: 3000, unit: 'binary' })])(
    'property: random strings only ever throw a TollgateError',
    async (value) => {
      await expect(verifyPass(value, { keyring, now: at(T) })).rejects.toSatisfy(TollgateError.is)
    },
  )

  property.prop([fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/), { minLength: 1, maxLength: 3 })])(
    'property: random base64url parts only ever throw a TollgateError',
    async (parts) => {
      await expect(verifyPass(parts.join('.'), { keyring, now: at(T) })).rejects.toSatisfy(TollgateError.is)
    },
  )

  property.prop([
    fc.dictionary(fc.constantFrom('v', 'sub', 'scope', 'iat', 'exp', 'jti', 'uses', 'x'), fc.jsonValue()),
  ])('property: correctly signed arbitrary payloads verify or throw a TollgateError', async (fields) => {
    const signed = await signToken({ ...payload, ...fields, kid: 'k1' }, { keyring, purpose: 'pass' })
    try {
      const verified = await verifyPass(signed, { keyring, now: at(T), maxLength: 1_000_000 })
      expect(verified.v).toBe(1)
    } catch (error) {
      expect(TollgateError.is(error)).toBe(true)
    }
  })
})
