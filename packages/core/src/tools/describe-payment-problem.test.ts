import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { describePaymentProblem } from './describe-payment-problem.js'

describe('describePaymentProblem', () => {
  test('default: code, message, price, limits and a hint', () => {
    const error = new TollgateError(
      'policy_per_call_exceeded',
      'Paying $0.6 is above the per-call limit of $0.5.',
      {
        details: { limit: '$0.5', amount: '$0.6' },
      },
    )
    expect(describePaymentProblem(error)).toMatchInlineSnapshot(`
      {
        "error": "policy_per_call_exceeded",
        "hint": "This call costs more than one call may cost: do not retry it; use a cheaper tool or ask the user to raise the per-call limit.",
        "limit": "$0.5",
        "message": "Paying $0.6 is above the per-call limit of $0.5.",
        "price": "$0.6",
      }
    `)
  })

  test('behavior: rate limits carry retryAfter, rejections the server reason', () => {
    expect(
      describePaymentProblem(new TollgateError('policy_rate_limited', 'Slow down.', { retryAfter: 12 })),
    ).toMatchObject({
      error: 'policy_rate_limited',
      retryAfter: 12,
      hint: expect.stringContaining('retryAfter'),
    })
    expect(
      describePaymentProblem(
        new TollgateError('payment_rejected', 'Refused.', {
          details: { code: 'verify_amount_insufficient' },
        }),
      ),
    ).toMatchObject({ reason: 'verify_amount_insufficient' })
  })

  test('behavior: every code family has its own hint; unknown codes get a safe default', () => {
    const hint = (code: ConstructorParameters<typeof TollgateError>[0]) =>
      describePaymentProblem(new TollgateError(code, 'x')).hint
    const codes = [
      'policy_budget_exceeded',
      'policy_per_call_exceeded',
      'policy_denied_domain',
      'policy_approval_declined',
      'policy_wallet_expired',
      'rate_limited',
      'payment_rejected',
      'price_changed',
      'no_payable_option',
      'wallet_insufficient_funds',
      'rpc_unavailable',
      'internal_error',
    ] as const
    expect(new Set(codes.map(hint)).size).toBe(codes.length)
    expect(hint('policy_network_denied')).toBe(hint('policy_denied_domain'))
    expect(hint('pay_to_changed')).toBe(hint('price_changed'))
    expect(hint('wallet_unavailable')).toBe(hint('rpc_unavailable'))
  })
})
