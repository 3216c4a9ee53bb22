import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'

/**
 * Resolves once `merchant` has answered a free request: it has handled what reached it before.
 *
 * @example connection.hangUp(); await roundTrip(context, context.a)
 */
export async function roundTrip(context: CaseContext, merchant: Merchant): Promise<void> {
  await context.send(merchant, { method: 'GET', target: '/health' })
}
