import { type Hex, keccak256, recoverAddress, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount, sign } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { createEcdsaSignerCheck } from './create-ecdsa-signer-check.js'

const ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const digests = Array.from({ length: 6 }, (_, index) => keccak256(toHex(`message ${index}`)))

async function signed(privateKey: Hex, digest: Hex): Promise<Hex> {
  return sign({ hash: digest, privateKey, to: 'hex' })
}

// The same signature with v flipped (27 <-> 28): ecrecover gives another address.
function flipV(signature: Hex): Hex {
  const v = Number.parseInt(signature.slice(130), 16)
  return `${signature.slice(0, 130)}${(v === 27 ? 28 : 27).toString(16)}` as Hex
}

// The high-s twin: valid ECDSA, refused by EIP-3009 tokens.
function highS(signature: Hex): Hex {
  const s = ORDER - BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130), 16)
  return `${signature.slice(0, 66)}${s.toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex
}

describe('createEcdsaSignerCheck', () => {
  test('default: the payer first by recovery, then by its kept key, as ecrecover decides', async () => {
    const key = generatePrivateKey()
    const { address } = privateKeyToAccount(key)
    const stranger = privateKeyToAccount(generatePrivateKey()).address
    const isSigner = createEcdsaSignerCheck()
    for (const digest of digests) {
      const signature = await signed(key, digest)
      expect(isSigner(digest, signature, address)).toBe(true)
      expect(isSigner(digest, signature, stranger)).toBe(false)
      // A wrong v names another signer, both for a new and for a kept key.
      expect(await recoverAddress({ hash: digest, signature: flipV(signature) })).not.toBe(address)
      expect(isSigner(digest, flipV(signature), address)).toBe(false)
      expect(isSigner(digest, highS(signature), address)).toBe(false)
      // Another digest, the same signature.
      expect(isSigner(keccak256(digest), signature, address)).toBe(false)
    }
  })

  test('error: once a payer key is kept, a signature by any other key in its name is refused', async () => {
    const key = generatePrivateKey()
    const { address } = privateKeyToAccount(key)
    const forger = generatePrivateKey()
    const isSigner = createEcdsaSignerCheck()
    for (const digest of digests) {
      expect(isSigner(digest, await signed(key, digest), address)).toBe(true)
      const forged = await signed(forger, digest)
      expect(isSigner(digest, forged, address)).toBe(false)
      expect(isSigner(digest, flipV(forged), address)).toBe(false)
    }
  })

  test('behavior: v as 0 or 1 reads as 27 or 28', async () => {
    const key = generatePrivateKey()
    const { address } = privateKeyToAccount(key)
    const isSigner = createEcdsaSignerCheck()
    for (const digest of digests) {
      const signature = await signed(key, digest)
      const v = Number.parseInt(signature.slice(130), 16) - 27
      expect(isSigner(digest, `${signature.slice(0, 130)}0${v}` as Hex, address)).toBe(true)
    }
  })

  test('behavior: a payer whose key was let go is recovered again', async () => {
    const keys = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()]
    const isSigner = createEcdsaSignerCheck({ maxKeys: 1 })
    for (const digest of digests)
      for (const key of keys)
        expect(isSigner(digest, await signed(key, digest), privateKeyToAccount(key).address)).toBe(true)
  })

  test('error: not a 65-byte signature with r and s in range and v of 0, 1, 27 or 28', async () => {
    const key = generatePrivateKey()
    const { address } = privateKeyToAccount(key)
    const isSigner = createEcdsaSignerCheck()
    const digest = digests[0] as Hex
    const signature = await signed(key, digest)
    expect(isSigner(digest, signature, address)).toBe(true)
    const zeroR = `0x${'0'.repeat(64)}${signature.slice(66)}` as Hex
    const bigR = `0x${ORDER.toString(16)}${signature.slice(66)}` as Hex
    const zeroS = `${signature.slice(0, 66)}${'0'.repeat(64)}${signature.slice(130)}` as Hex
    for (const bad of [
      `${signature}00`,
      signature.slice(0, 130),
      `${signature.slice(0, 130)}1d`,
      `${signature.slice(0, 130)}02`,
      zeroR,
      bigR,
      zeroS,
      `${signature.slice(0, 100)}zz${signature.slice(102)}`,
    ] as Hex[])
      expect(isSigner(digest, bad, address)).toBe(false)
  })
})
