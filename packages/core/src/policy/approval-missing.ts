import { TollgateError } from '../errors/tollgate-error.js'
import type { PolicyRuntime } from './compile-policy.js'
import type { PolicyPayment } from './types.js'

/**
 * The error for a payment that needs approval when no `approve` callback is configured.
 *
 * @example throw approvalMissing(runtime, payment)
 * @internal
 */
export function approvalMissing(runtime: PolicyRuntime, payment: PolicyPayment): TollgateError {
  return new TollgateError(
    'policy_approval_declined',
    `Payments above ${runtime.approvalLine?.label} need approval, and no \`approve\` callback is configured.`,
    { details: { threshold: runtime.approvalLine?.label, amount: payment.amountFormatted } },
  )
}
