import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { encodePass } from './encode-pass.js'
import { safeVerifyPass } from './safe-verify-pass.js'

const keyring = createKeyring('tollgate-test-secret-0123456789abcdef')
const now = () => 1_700_000_000_000
const { token, payload } = await encodePass(
  { sub: 'payer', scope: { routes: ['GET /a'] }, ttlSeconds: 60 },
  { keyring, now },
)

describe('safeVerifyPass', () => {
  test('default', async () => {
    expect(await safeVerifyPass(token, { keyring, now })).toEqual({ success: true, data: payload })
  })

  test('behavior: failures are returned, not thrown', async () => {
    const result = await safeVerifyPass(token, {
      keyring,
      now,
      request: { method: 'POST', url: 'https://x.dev/a' },
    })
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(TollgateError.is(result.error)).toBe(true)
      expect(result.error.code).toBe('pass_scope_mismatch')
    }
    expect(await safeVerifyPass(token, { keyring, now: () => 1_800_000_000_000 })).toMatchObject({
      success: false,
      error: { code: 'pass_expired' },
    })
  })

  test('error: invalid options are returned too', async () => {
    expect(await safeVerifyPass(token, { keyring, maxLength: -1 })).toMatchObject({
      success: false,
      error: { code: 'config_invalid' },
    })
    const broken = { ...keyring, verify: () => Promise.reject(new Error('boom')) }
    expect(await safeVerifyPass(token, { keyring: broken, now })).toMatchObject({
      success: false,
      error: { code: 'internal_error' },
    })
  })

  property.prop([fc.string({ maxLength: 3000, unit: 'binary' })])(
    'property: random strings are returned as TollgateErrors',
    async (value) => {
      const result = await safeVerifyPass(value, { keyring, now })
      expect(result.success).toBe(false)
      if (!result.success) expect(TollgateError.is(result.error)).toBe(true)
    },
  )
})
