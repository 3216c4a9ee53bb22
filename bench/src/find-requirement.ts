import type { PaymentRequired, PaymentRequirements } from '@tollgate/core'

/**
 * The first requirement of a 402 with this scheme.
 *
 * @example const tx = findRequirement(required, 'tx')
 * @throws {Error} when the route does not offer it
 */
export function findRequirement(required: PaymentRequired, scheme: string): PaymentRequirements {
  const found = required.accepts.find((requirement) => requirement.scheme === scheme)
  if (found === undefined) throw new Error(`The route offers no "${scheme}" requirement.`)
  return found
}
