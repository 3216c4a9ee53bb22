import { describe, expect, test } from 'vitest'
import { base64UrlToBytes, bytesToUtf8 } from '../encoding/base64.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { type EncodePassClaims, encodePass } from './encode-pass.js'

const keyring = createKeyring({
  current: { kid: 'k1', secret: 'tollgate-test-secret-0123456789abcdef' },
})
const now = () => 1_700_000_000_000
const claims: EncodePassClaims = {
  sub: '0x1111111111111111111111111111111111111111',
  scope: { routes: ['GET /weather/:city'], origin: 'https://api.example.com' },
  ttlSeconds: 3600,
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

describe('encodePass', () => {
  test('default', async () => {
    const { token, payload } = await encodePass(claims, { keyring, now })
    expect(payload).toEqual({
      v: 1,
      kid: 'k1',
      sub: '0x1111111111111111111111111111111111111111',
      scope: { routes: ['GET /weather/:city'], origin: 'https://api.example.com' },
      iat: 1_700_000_000,
      exp: 1_700_003_600,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    })
    expect(JSON.parse(bytesToUtf8(base64UrlToBytes(token.split('.')[0]!)!)!)).toEqual(payload)
  })

  test('behavior: jti is random by default', async () => {
    const first = await encodePass(claims, { keyring, now })
    const second = await encodePass(claims, { keyring, now })
    expect(first.payload.jti).not.toBe(second.payload.jti)
    expect(first.token).not.toBe(second.token)
  })

  test('behavior: explicit uses, jti and iat', async () => {
    const { payload } = await encodePass(
      { ...claims, scope: { routes: ['/**'] }, uses: 10, jti: 'order:42', iat: 1000 },
      { keyring, now },
    )
    expect(payload).toEqual({
      v: 1,
      kid: 'k1',
      sub: claims.sub,
      scope: { routes: ['/**'] },
      iat: 1000,
      exp: 4600,
      jti: 'order:42',
      uses: 10,
    })
  })

  test('behavior: signs only the known scope fields', async () => {
    const scope = { routes: ['/a'], extra: 'dropped' } as EncodePassClaims['scope']
    const { payload } = await encodePass({ ...claims, scope }, { keyring, now })
    expect(payload.scope).toEqual({ routes: ['/a'] })
  })

  test.each<[string, Partial<EncodePassClaims>]>([
    ['empty sub', { sub: '' }],
    ['long sub', { sub: 'x'.repeat(129) }],
    ['no routes', { scope: { routes: [] } }],
    ['33 routes', { scope: { routes: Array.from({ length: 33 }, (_, index) => `/r${index}`) } }],
    ['invalid route', { scope: { routes: ['GET weather'] } }],
    ['scope not an object', { scope: null as never }],
    ['origin with trailing slash', { scope: { routes: ['/a'], origin: 'https://api.example.com/' } }],
    ['origin with path', { scope: { routes: ['/a'], origin: 'https://api.example.com/v1' } }],
    ['origin not a URL', { scope: { routes: ['/a'], origin: 'api.example.com' } }],
    ['opaque origin', { scope: { routes: ['/a'], origin: 'data:text/plain,x' } }],
    ['ttl 0', { ttlSeconds: 0 }],
    ['ttl above a year', { ttlSeconds: 31_536_001 }],
    ['fractional ttl', { ttlSeconds: 1.5 }],
    ['uses 0', { uses: 0 }],
    ['fractional uses', { uses: 1.5 }],
    ['jti with a space', { jti: 'a b' }],
    ['empty jti', { jti: '' }],
    ['negative iat', { iat: -1 }],
    ['fractional iat', { iat: 1.5 }],
  ])('error: %s', async (_, change) => {
    expect((await errorOf(encodePass({ ...claims, ...change }, { keyring, now }))).code).toBe(
      'config_invalid',
    )
  })

  test('error: messages', async () => {
    expect(await errorOf(encodePass({ ...claims, ttlSeconds: 0 }, { keyring, now }))).toMatchInlineSnapshot(
      `[TollgateError: \`ttlSeconds\` must be an integer from 1 to 31536000, got 0.]`,
    )
    expect(
      await errorOf(
        encodePass({ ...claims, scope: { routes: ['/a'], origin: 'https://api.example.com/' } }, { keyring }),
      ),
    ).toMatchInlineSnapshot(
      `[TollgateError: Pass origin "https://api.example.com/" must be an origin such as "https://api.example.com", without path or trailing slash.]`,
    )
  })

  test('error: a token longer than verifiers accept', async () => {
    const routes = Array.from({ length: 32 }, (_, index) => `GET /${'a'.repeat(60)}/${index}`)
    expect(
      await errorOf(encodePass({ ...claims, scope: { routes } }, { keyring, now })),
    ).toMatchInlineSnapshot(
      `[TollgateError: The pass token would have 3267 characters, more than the 2048 accepted; use fewer or shorter routes.]`,
    )
    expect(
      (await encodePass({ ...claims, scope: { routes } }, { keyring, now, maxLength: 4096 })).token,
    ).toHaveLength(3267)
  })
})
