import { compileLimit } from './compile-limit.js'
import type { PolicyRuntime } from './compile-policy.js'
import type { PolicyQuote, ReserveOptions } from './types.js'

/**
 * Whether `approvedUpTo` (approval given ahead, through an agent framework) covers this payment.
 *
 * @example isPreApproved(runtime, quote, { approvedUpTo: '$0.10' })
 * @internal
 */
export function isPreApproved(runtime: PolicyRuntime, input: PolicyQuote, options: ReserveOptions): boolean {
  if (options.approvedUpTo === undefined) return false
  const approved = compileLimit(options.approvedUpTo, { registry: runtime.registry, option: 'approvedUpTo' })
  const valued = runtime.registry.findAsset(input.requirements.network, input.requirements.asset)
  return (
    valued !== undefined &&
    approved.applies(valued) &&
    approved.measure(valued, input.amount) <= approved.limit
  )
}
