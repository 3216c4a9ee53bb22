import { describe, expect, test } from 'vitest'
import { base64UrlToBytes, bytesToUtf8 } from '../encoding/base64.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { signToken } from './sign-token.js'

const keyring = createKeyring({
  current: { kid: 'k1', secret: 'tollgate-test-secret-0123456789abcdef' },
})

describe('signToken', () => {
  test('default', async () => {
    const token = await signToken({ kid: 'k1', v: 1, sub: 'é' }, { keyring, purpose: 'pass' })
    const [body, mac] = token.split('.') as [string, string]
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
    expect(bytesToUtf8(base64UrlToBytes(body)!)).toBe('{"kid":"k1","v":1,"sub":"é"}')
    expect(base64UrlToBytes(mac)).toHaveLength(32)
  })

  test('behavior: the MAC depends on the purpose', async () => {
    const payload = { kid: 'k1', v: 1 }
    const pass = await signToken(payload, { keyring, purpose: 'pass' })
    const challenge = await signToken(payload, { keyring, purpose: 'challenge' })
    expect(pass.split('.')[0]).toBe(challenge.split('.')[0])
    expect(pass.split('.')[1]).not.toBe(challenge.split('.')[1])
  })

  test('error: payload kid is not the current kid', async () => {
    await expect(
      signToken({ kid: 'k0' }, { keyring, purpose: 'pass' }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: A pass token must name the signing key "k1", not "k0".]`,
    )
  })
})
