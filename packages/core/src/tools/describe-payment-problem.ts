import type { TollgateError } from '../errors/tollgate-error.js'
import type { PaymentProblem } from './types.js'

// What the agent should do next, per family of codes. Hints speak to the model, not to people.
const hints: [codes: readonly string[], hint: string][] = [
  [['policy_budget_exceeded'], 'Budget exhausted: ask the user to raise it or stop calling paid tools.'],
  [
    ['policy_per_call_exceeded'],
    'This call costs more than one call may cost: do not retry it; use a cheaper tool or ask the user to raise the per-call limit.',
  ],
  [
    ['policy_denied_domain', 'policy_network_denied', 'policy_asset_denied'],
    'The spending policy does not allow paying this service: do not retry; tell the user.',
  ],
  [
    ['policy_approval_declined'],
    'The payment was not approved: do not retry it unless the user asks you to.',
  ],
  [
    ['policy_wallet_expired'],
    'The spending permission has expired: stop calling paid tools and ask the user to renew it.',
  ],
  [
    ['policy_rate_limited', 'rate_limited'],
    'Too many paid calls in a short time: wait retryAfter seconds before calling a paid tool again.',
  ],
  [
    ['payment_rejected', 'retry_limit_exceeded'],
    'The service refused the payment: do not retry with the same parameters; tell the user.',
  ],
  [
    ['price_above_limit'],
    'The service asks more than this tool may pay per call, so nothing was paid: do not retry; tell the user the price.',
  ],
  [
    ['price_changed', 'pay_to_changed'],
    'The service asked for more than it had quoted (or changed who is paid), so nothing more was paid: do not retry; tell the user.',
  ],
  [
    ['no_payable_option'],
    'The service accepts no currency or network this wallet can pay with: do not retry; tell the user.',
  ],
  [
    ['wallet_insufficient_funds'],
    'The wallet does not hold enough funds: stop calling paid tools and ask the user to top it up.',
  ],
  [
    ['rpc_unavailable', 'wallet_unavailable', 'payment_failed', 'ledger_unavailable', 'store_unavailable'],
    'The wallet or its blockchain connection failed: try again in a minute; if it keeps failing, tell the user.',
  ],
]

/**
 * Turns a TollgateError from a paid call into a short, structured result the model can act on:
 * code, message, the price and limit involved, and a hint on what to do next.
 *
 * @example
 * describePaymentProblem(error)
 * // { error: 'policy_budget_exceeded', message: 'Paying $0.30 would exceed …', price: '$0.30',
 * //   limit: '$0.50', remaining: '$0.20', hint: 'Budget exhausted: ask the user to raise it or stop calling paid tools.' }
 */
export function describePaymentProblem(error: TollgateError): PaymentProblem {
  const details = error.details ?? {}
  const text = (key: string): string | undefined =>
    typeof details[key] === 'string' ? (details[key] as string) : undefined
  const price = text('amount')
  const limit = text('limit') ?? text('threshold')
  const remaining = text('remaining')
  const reason = error.code === 'payment_rejected' ? text('code') : undefined
  return {
    error: error.code,
    message: error.message,
    ...(price === undefined ? {} : { price }),
    ...(limit === undefined ? {} : { limit }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    ...(reason === undefined ? {} : { reason }),
    hint:
      hints.find(([codes]) => codes.includes(error.code))?.[1] ??
      'The paid call failed: do not retry it blindly; tell the user what happened.',
  }
}
