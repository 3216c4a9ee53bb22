import { describe, expect, test } from 'vitest'
import { errorStatus } from '../errors/error-codes.js'
import { isFinalRejection } from './is-final-rejection.js'

describe('isFinalRejection', () => {
  test('default', () => {
    expect(isFinalRejection('payment_already_used')).toBe(true)
    expect(isFinalRejection('verify_unconfirmed')).toBe(false)
  })

  test.each([
    ['verify_tx_not_found'],
    ['rpc_unavailable'],
    ['challenge_expired'],
    ['payment_in_progress'],
    ['settlement_failed'],
    ['made_up'],
  ])('behavior: %s may clear on retry, so the proof stays reusable', (code) => {
    expect(isFinalRejection(code)).toBe(false)
  })

  test('behavior: every final code is a real error code', () => {
    const final = Object.keys(errorStatus).filter(isFinalRejection)
    expect(final).toContain('invalid_exact_evm_nonce_already_used')
    expect(final).toContain('verify_recipient_mismatch')
    expect(final).toHaveLength(16)
  })
})
