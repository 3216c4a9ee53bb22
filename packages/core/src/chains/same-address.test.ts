import { describe, expect, test } from 'vitest'
import { addressKey } from './address-key.js'
import { sameAddress } from './same-address.js'

const solana = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp'

describe('sameAddress', () => {
  test('default: EVM addresses compare case-insensitively', () => {
    expect(sameAddress('eip155:8453', '0xAbCd', '0xabcd')).toBe(true)
    expect(addressKey('eip155:8453', '0xAbCd')).toBe('0xabcd')
  })

  test('behavior: Solana base58 addresses are case-sensitive', () => {
    const mint = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'
    expect(sameAddress(solana, mint, mint)).toBe(true)
    expect(sameAddress(solana, mint, mint.toLowerCase())).toBe(false)
    expect(addressKey(solana, mint)).toBe(mint)
  })
})
