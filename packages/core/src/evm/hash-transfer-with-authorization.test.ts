import { fc, test } from '@fast-check/vitest'
import { getAddress, type Hex, hashTypedData } from 'viem'
import { describe, expect } from 'vitest'
import { transferWithAuthorizationTypes } from './check-exact-authorization.js'
import { hashTransferWithAuthorization } from './hash-transfer-with-authorization.js'

const hex = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((value) => `0x${Buffer.from(value).toString('hex')}` as Hex)
const uint256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })

describe('hashTransferWithAuthorization', () => {
  test.prop([
    fc.string({ maxLength: 40 }),
    fc.string({ maxLength: 10 }),
    fc.integer({ min: 1, max: 2 ** 40 }),
    hex(20),
    hex(20),
    hex(20),
    uint256,
    uint256,
    uint256,
    hex(32),
  ])(
    'behavior: the digest viem hashTypedData gives',
    (name, version, chainId, token, from, to, value, validAfter, validBefore, nonce) => {
      const domain = { name, version, chainId, verifyingContract: getAddress(token) }
      const message = { from: getAddress(from), to: getAddress(to), value, validAfter, validBefore, nonce }
      expect(hashTransferWithAuthorization(domain, message)).toBe(
        hashTypedData({
          domain,
          types: transferWithAuthorizationTypes,
          primaryType: 'TransferWithAuthorization',
          message,
        }),
      )
      // Again, from the kept domain separator.
      expect(hashTransferWithAuthorization(domain, message)).toBe(
        hashTransferWithAuthorization({ ...domain }, message),
      )
    },
  )
})
