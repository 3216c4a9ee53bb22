import { TollgateError } from '../errors/tollgate-error.js'
import type { LedgerCharge, LedgerUsage } from '../ledger/types.js'
import type { PolicyRuntime } from './compile-policy.js'
import { PAYMENTS_LINE } from './evaluate-quote.js'

/**
 * Turns the line a reservation would pass into the policy's error: `policy_rate_limited` (with
 * `retryAfter` in seconds) for the payments line, `policy_budget_exceeded` for a budget line.
 *
 * @example throw toLimitError(runtime, result.exceeded, charges, Date.now())
 * @internal
 */
export function toLimitError(
  runtime: PolicyRuntime,
  usage: LedgerUsage,
  charges: readonly LedgerCharge[],
  at: number,
): TollgateError {
  const { rateLimit, windowMs } = runtime
  if (usage.line === PAYMENTS_LINE && rateLimit !== undefined && usage.limit === BigInt(rateLimit.payments)) {
    const retryAfter =
      usage.retryAt === undefined ? rateLimit.perSeconds : Math.max(1, Math.ceil((usage.retryAt - at) / 1000))
    return new TollgateError(
      'policy_rate_limited',
      `The policy allows ${rateLimit.payments} payments per ${rateLimit.perSeconds} s; retry in ${retryAfter} s.`,
      { retryAfter, details: { payments: rateLimit.payments, perSeconds: rateLimit.perSeconds } },
    )
  }
  const line =
    runtime.budgets?.find((budget) => budget.key === usage.line && budget.limit === usage.limit) ??
    runtime.budgets?.find((budget) => budget.key === usage.line)
  const value = charges.find((charge) => charge.line === usage.line)?.value ?? 0n
  const format = line?.format ?? ((amount: bigint) => amount.toString())
  const label = line?.label ?? usage.limit.toString()
  const remaining = positive(usage.limit - usage.committed - usage.reserved)
  const per = windowMs === undefined ? '' : ` per ${windowMs / 1000} s`
  return new TollgateError(
    'policy_budget_exceeded',
    `Paying ${format(value)} would exceed the budget of ${label}${per}: ${format(remaining)} remaining.`,
    {
      details: {
        limit: label,
        remaining: format(remaining),
        amount: format(value),
        spent: format(usage.committed),
        reserved: format(usage.reserved),
        window: windowMs === undefined ? 'lifetime' : { seconds: windowMs / 1000 },
      },
    },
  )
}

function positive(value: bigint): bigint {
  return value > 0n ? value : 0n
}
