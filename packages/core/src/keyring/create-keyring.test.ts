import { inspect } from 'node:util'
import { describe, expect, test, vi } from 'vitest'
import { bytesToBase64, bytesToBase64Url } from '../encoding/base64.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createKeyring } from './create-keyring.js'

const secret = 'tollgate-test-secret-0123456789abcdef'
const otherSecret = 'tollgate-other-secret-0123456789abcdef'
const encoder = new TextEncoder()
const data = encoder.encode('payload')

async function hmac(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, new Uint8Array(message)))
}

async function errorOf(run: () => unknown): Promise<TollgateError> {
  try {
    await run()
  } catch (error) {
    if (TollgateError.is(error)) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

describe('createKeyring', () => {
  test('default', async () => {
    const keyring = createKeyring(secret)
    expect(keyring.currentKid).toMatch(/^[A-Za-z0-9_-]{11}$/)
    expect(keyring.kids).toEqual([keyring.currentKid])
    expect(keyring.has(keyring.currentKid)).toBe(true)
    expect(keyring.has('other')).toBe(false)
    const mac = await keyring.sign('pass', data)
    expect(mac).toHaveLength(32)
    expect(await keyring.verify('pass', keyring.currentKid, data, mac)).toBe(true)
  })

  test('behavior: the derived kid is the first 8 bytes of HMAC(secret, "tollgate/kid"), base64url', async () => {
    const keyring = createKeyring(secret)
    const expected = bytesToBase64Url(
      (await hmac(encoder.encode(secret), encoder.encode('tollgate/kid'))).slice(0, 8),
    )
    expect(keyring.currentKid).toBe(expected)
    expect(createKeyring(encoder.encode(secret)).currentKid).toBe(expected)
    expect(createKeyring(otherSecret).currentKid).not.toBe(expected)
  })

  test('behavior: MACs use a per-purpose sub-key HMAC(secret, "tollgate/<purpose>/v1"), never the raw secret', async () => {
    const keyring = createKeyring(secret)
    const subKey = await hmac(encoder.encode(secret), encoder.encode('tollgate/pass/v1'))
    expect(await keyring.sign('pass', data)).toEqual(await hmac(subKey, data))
    expect(await keyring.sign('pass', data)).not.toEqual(await hmac(encoder.encode(secret), data))
  })

  test('behavior: purposes are separated', async () => {
    const keyring = createKeyring(secret)
    const mac = await keyring.sign('pass', data)
    expect(await keyring.verify('challenge', keyring.currentKid, data, mac)).toBe(false)
    expect(await keyring.sign('challenge', data)).not.toEqual(mac)
  })

  test('behavior: signs with current, verifies with current and previous', async () => {
    const old = createKeyring({ current: { kid: 'k1', secret: otherSecret } })
    const keyring = createKeyring({
      current: { kid: 'k2', secret },
      previous: [{ kid: 'k1', secret: otherSecret }],
    })
    expect(keyring.currentKid).toBe('k2')
    expect(keyring.kids).toEqual(['k2', 'k1'])
    const oldMac = await old.sign('pass', data)
    expect(await keyring.verify('pass', 'k1', data, oldMac)).toBe(true)
    expect(await keyring.verify('pass', 'k2', data, oldMac)).toBe(false)
    expect(await keyring.verify('pass', 'k2', data, await keyring.sign('pass', data))).toBe(true)
    const rotatedOut = createKeyring({ current: { kid: 'k2', secret } })
    expect(await rotatedOut.verify('pass', 'k1', data, oldMac)).toBe(false)
  })

  test('behavior: a changed MAC or message does not verify', async () => {
    const keyring = createKeyring(secret)
    const mac = await keyring.sign('pass', data)
    const flipped = mac.slice()
    flipped[31] = flipped[31]! ^ 1
    expect(await keyring.verify('pass', keyring.currentKid, data, flipped)).toBe(false)
    expect(await keyring.verify('pass', keyring.currentKid, encoder.encode('payloaD'), mac)).toBe(false)
    expect(await keyring.verify('pass', keyring.currentKid, data, mac.slice(0, 16))).toBe(false)
  })

  test('behavior: derives each sub-key once, lazily, also under concurrent first use', async () => {
    const keyring = createKeyring(secret)
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    await Promise.all(Array.from({ length: 10 }, () => keyring.sign('pass', data)))
    await keyring.verify('pass', keyring.currentKid, data, new Uint8Array(32))
    expect(importKey).toHaveBeenCalledTimes(1)
    await keyring.sign('challenge', data)
    expect(importKey).toHaveBeenCalledTimes(2)
  })

  test('behavior: does not modify the caller’s secret bytes', async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32))
    const copy = bytes.slice()
    createKeyring(bytes)
    expect(bytes).toEqual(copy)
  })

  test('behavior: never reveals secret bytes when serialised or inspected', async () => {
    const bytes = encoder.encode(secret)
    const keyring = createKeyring({
      current: { kid: 'k2', secret },
      previous: [{ kid: 'k1', secret: bytes.slice().reverse() }],
    })
    await keyring.sign('pass', data)
    const views = [
      JSON.stringify(keyring),
      String(keyring),
      `${keyring}`,
      inspect(keyring, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }),
      inspect(Object.entries(keyring), { showHidden: true, depth: Number.POSITIVE_INFINITY }),
    ]
    for (const view of views) {
      for (const needle of [
        secret,
        bytesToBase64(bytes),
        bytesToBase64Url(bytes),
        [...bytes].join(','),
        'tollgate-test',
      ]) {
        expect(view).not.toContain(needle)
      }
    }
    expect(JSON.stringify(keyring)).toMatchInlineSnapshot(`"{"currentKid":"k2","kids":["k2","k1"]}"`)
    expect(String(keyring)).toMatchInlineSnapshot(`"Keyring(current: "k2", previous: ["k1"])"`)
    expect(inspect(keyring)).toMatchInlineSnapshot(`"Keyring(current: "k2", previous: ["k1"])"`)
    expect(Object.keys(keyring).sort()).toEqual([
      'currentKid',
      'has',
      'kids',
      'sign',
      'toJSON',
      'toString',
      'verify',
    ])
    expect(Object.isFrozen(keyring)).toBe(true)
  })

  test('error: secret shorter than 32 bytes', async () => {
    expect(() => createKeyring('too-short')).toThrow(TollgateError)
    expect(await errorOf(() => createKeyring('too-short'))).toMatchInlineSnapshot(
      `[TollgateError: The keyring secret has 9 bytes; use at least 32 random bytes.]`,
    )
    const error = await errorOf(() => createKeyring({ current: { kid: 'k1', secret: new Uint8Array(31) } }))
    expect(error.code).toBe('config_invalid')
    expect(error.message).toMatchInlineSnapshot(
      `"The secret of key "k1" has 31 bytes; use at least 32 random bytes."`,
    )
  })

  test('error: secret never appears in the error', async () => {
    const error = await errorOf(() => createKeyring('hunter2-hunter2'))
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2')
    expect(error.message).not.toContain('hunter2')
  })

  test.each([[''], ['a'.repeat(33)], ['has space'], ['dot.ted'], ['ünï']])('error: kid %j', async (kid) => {
    const error = await errorOf(() => createKeyring({ current: { kid, secret } }))
    expect(error.code).toBe('config_invalid')
  })

  test('error: duplicate kid or secret', async () => {
    expect(
      await errorOf(() =>
        createKeyring({ current: { kid: 'k1', secret }, previous: [{ kid: 'k1', secret: otherSecret }] }),
      ),
    ).toMatchInlineSnapshot(`[TollgateError: Key id "k1" appears twice in the keyring.]`)
    expect(
      await errorOf(() =>
        createKeyring({
          current: { kid: 'k2', secret },
          previous: [{ kid: 'k1', secret: encoder.encode(secret) }],
        }),
      ),
    ).toMatchInlineSnapshot(
      `[TollgateError: Keys "k2" and "k1" have the same secret; a rotated key needs a new secret.]`,
    )
  })

  test('error: not a secret or options', async () => {
    for (const input of [
      null,
      undefined,
      42,
      {},
      { current: null },
      { current: { kid: 'k1', secret: 42 } },
    ]) {
      expect((await errorOf(() => createKeyring(input as never))).code).toBe('config_invalid')
    }
    expect(
      (await errorOf(() => createKeyring({ current: { kid: 'k1', secret }, previous: 'k0' as never }))).code,
    ).toBe('config_invalid')
  })

  test('error: invalid purpose', async () => {
    const keyring = createKeyring(secret)
    expect(await errorOf(() => keyring.sign('Pass/v2', data))).toMatchInlineSnapshot(
      `[TollgateError: Key purpose "Pass/v2" must match /^[a-z][a-z0-9-]{0,31}$/.]`,
    )
  })
})
