import type { PaymentRequirements } from '@tollgate/core'
import type { Hex } from 'viem'
import { type Offer, offerOf } from '../offer-of.js'
import { payTx } from '../pay-tx.js'
import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'
import type { Payer } from '../start-world.js'
import { type Route, SEARCH } from './paid-request.js'

/** A valid `tx` payment for `route` on `merchant`, made by a fresh payer of the case. */
export type TxPayment = {
  payer: Payer
  offer: Offer
  requirements: PaymentRequirements
  hash: Hex
  header: { name: string; value: string }
}

/**
 * Asks for the 402, pays it with a USDC transfer from a fresh payer of the case, and signs the proof.
 *
 * @example const paid = await payRoute(context, context.a, POST)
 * @throws {Error} when the route does not answer 402 or the transfer fails
 */
export async function payRoute(
  context: CaseContext,
  merchant: Merchant,
  route: Route = SEARCH,
): Promise<TxPayment> {
  const payer = await context.payer()
  const offer = await offerOf(merchant, route.method, route.path)
  const paid = await payTx(context.world, payer, offer.tx)
  return { payer, offer, requirements: offer.tx, hash: paid.hash, header: paid.header }
}
