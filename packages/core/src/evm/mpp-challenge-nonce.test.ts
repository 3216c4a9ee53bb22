import { encodePacked, keccak256 } from 'viem'
import { describe, expect, test } from 'vitest'
import { mppChallengeNonce } from './mpp-challenge-nonce.js'

describe('mppChallengeNonce', () => {
  test('default: keccak256 of abi.encodePacked(id, realm), as the draft defines it', () => {
    const challenge = { id: 'aB3cDeF4gHiJkLmN', realm: 'api.example.com' }
    expect(mppChallengeNonce(challenge)).toBe(
      keccak256(encodePacked(['string', 'string'], [challenge.id, challenge.realm])),
    )
    expect(mppChallengeNonce(challenge)).toMatch(/^0x[0-9a-f]{64}$/)
  })

  test('behavior: UTF-8 bytes, and the id and realm both count', () => {
    expect(mppChallengeNonce({ id: 'é', realm: '' })).toBe(keccak256(new Uint8Array([0xc3, 0xa9])))
    expect(mppChallengeNonce({ id: 'a', realm: 'b' })).not.toBe(mppChallengeNonce({ id: 'a', realm: 'c' }))
  })
})
