import { describe, expect, test, vi } from 'vitest'
import { bytesToBase64Url, utf8ToBytes } from '../encoding/base64.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { type OpenTokenOptions, openToken } from './open-token.js'
import { signToken } from './sign-token.js'

const secret = 'tollgate-test-secret-0123456789abcdef'
const keyring = createKeyring({ current: { kid: 'k1', secret } })
const options: OpenTokenOptions = {
  keyring,
  purpose: 'pass',
  errorCodes: {
    malformed: 'pass_malformed',
    keyUnknown: 'pass_key_unknown',
    signatureInvalid: 'pass_signature_invalid',
  },
}
const mac = bytesToBase64Url(new Uint8Array(32))
const encodeJson = (text: string) => bytesToBase64Url(utf8ToBytes(text))

async function errorOf(promise: Promise<unknown>): Promise<TollgateError> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

describe('openToken', () => {
  test('default', async () => {
    const token = await signToken({ kid: 'k1', v: 1, sub: 'payer' }, { keyring, purpose: 'pass' })
    expect(await openToken(token, options)).toEqual({ kid: 'k1', v: 1, sub: 'payer' })
  })

  test('behavior: verifies with a previous key', async () => {
    const old = createKeyring({ current: { kid: 'k0', secret: `${secret}-old` } })
    const token = await signToken({ kid: 'k0' }, { keyring: old, purpose: 'pass' })
    const rotated = createKeyring({
      current: { kid: 'k1', secret },
      previous: [{ kid: 'k0', secret: `${secret}-old` }],
    })
    expect(await openToken(token, { ...options, keyring: rotated })).toEqual({ kid: 'k0' })
  })

  test.each([
    ['empty', ''],
    ['no separator', encodeJson('{"kid":"k1"}')],
    ['two separators', `${encodeJson('{"kid":"k1"}')}.${mac}.${mac}`],
    ['standard base64 alphabet', `${encodeJson('{"kid":"k1"}')}.${mac.replace(/A/g, '+')}`],
    ['padding', `${encodeJson('{"kid":"k1"}')}.${mac}=`],
    ['non-canonical trailing bits', `${encodeJson('{"kid":"k1"}')}.${mac.slice(0, -1)}B`],
    ['short MAC', `${encodeJson('{"kid":"k1"}')}.${bytesToBase64Url(new Uint8Array(31))}`],
    ['long MAC', `${encodeJson('{"kid":"k1"}')}.${bytesToBase64Url(new Uint8Array(33))}`],
    ['empty payload', `.${mac}`],
    ['not JSON', `${encodeJson('{kid:k1}')}.${mac}`],
    ['JSON array', `${encodeJson('["k1"]')}.${mac}`],
    ['JSON null', `${encodeJson('null')}.${mac}`],
    ['invalid UTF-8', `${bytesToBase64Url(new Uint8Array([0x7b, 0xff, 0x7d]))}.${mac}`],
    ['no kid', `${encodeJson('{"v":1}')}.${mac}`],
    ['kid not a string', `${encodeJson('{"kid":1}')}.${mac}`],
  ])('error: malformed (%s)', async (_, token) => {
    expect((await errorOf(openToken(token, options))).code).toBe('pass_malformed')
  })

  test('error: messages name the purpose and never quote the token', async () => {
    const token = `${encodeJson('{"kid":"k1"}')}`
    expect(await errorOf(openToken(token, options))).toMatchInlineSnapshot(
      `[TollgateError: The pass token is malformed: expected two base64url parts separated by one ".".]`,
    )
    expect(
      await errorOf(openToken(`${token}.${mac}`, { ...options, purpose: 'challenge' })),
    ).toMatchInlineSnapshot(`[TollgateError: The challenge token's signature does not verify.]`)
  })

  test('error: too long, before any crypto', async () => {
    const token = await signToken({ kid: 'k1', pad: 'x'.repeat(5000) }, { keyring, purpose: 'pass' })
    const spies = [
      vi.spyOn(crypto.subtle, 'verify'),
      vi.spyOn(crypto.subtle, 'sign'),
      vi.spyOn(crypto.subtle, 'importKey'),
    ]
    expect(await errorOf(openToken(token, options))).toMatchInlineSnapshot(
      `[TollgateError: The pass token is malformed: it has 6739 characters, expected 1 to 4096.]`,
    )
    expect((await errorOf(openToken('x'.repeat(101), { ...options, maxLength: 100 }))).code).toBe(
      'pass_malformed',
    )
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
    expect(await openToken(token, { ...options, maxLength: 8000 })).toMatchObject({ kid: 'k1' })
  })

  test('error: not a string', async () => {
    expect((await errorOf(openToken(42 as unknown as string, options))).code).toBe('pass_malformed')
  })

  test('error: unknown kid', async () => {
    const other = createKeyring({ current: { kid: 'k9', secret } })
    const token = await signToken({ kid: 'k9' }, { keyring: other, purpose: 'pass' })
    const error = await errorOf(openToken(token, options))
    expect(error.code).toBe('pass_key_unknown')
    expect(error.message).toMatchInlineSnapshot(
      `"The pass token was signed by key "k9", which this keyring does not hold."`,
    )
  })

  test('error: bad MAC, same kid with another secret, or another purpose', async () => {
    const impostor = createKeyring({ current: { kid: 'k1', secret: `${secret}-impostor` } })
    const forged = await signToken({ kid: 'k1' }, { keyring: impostor, purpose: 'pass' })
    expect((await errorOf(openToken(forged, options))).code).toBe('pass_signature_invalid')
    const challenge = await signToken({ kid: 'k1' }, { keyring, purpose: 'challenge' })
    expect((await errorOf(openToken(challenge, options))).code).toBe('pass_signature_invalid')
    expect((await errorOf(openToken(`${encodeJson('{"kid":"k1"}')}.${mac}`, options))).code).toBe(
      'pass_signature_invalid',
    )
  })
})
