import type { PaymentRequirements } from '@tollgate/core'
import type { Hex } from 'viem'
import { type Offer, offerOf, payTx } from '../payments.js'
import type { RawRequest } from '../raw-http.js'
import type { CaseContext } from '../run-case.js'
import type { Merchant } from '../start-merchant.js'
import type { Payer } from '../start-world.js'

/** Prices of the merchant's routes in USDC atomic units (6 decimals). */
export const PRICE = { search: 1_000n, post: 10_000n, item: 2_000n, pass: 50_000n } as const

/** A priced route: method and path. */
export type Route = { method: 'GET' | 'POST'; path: string }

export const SEARCH: Route = { method: 'GET', path: '/api/search' }
export const POST: Route = { method: 'POST', path: '/api/post' }

/** The request for `route` carrying `header` (a payment, a pass) and any extra headers. */
export function paidRequest(
  route: Route,
  header?: { name: string; value: string },
  extra: Record<string, string> = {},
): RawRequest {
  const headers: Record<string, string> = { ...extra }
  if (header !== undefined) headers[header.name] = header.value
  if (route.method === 'POST') headers['content-type'] = 'application/json'
  return {
    method: route.method,
    target: route.path,
    headers,
    ...(route.method === 'POST' ? { body: '{"title":"paid"}' } : {}),
  }
}

/** A valid `tx` payment for `route` on `merchant`, made by a fresh payer of the case. */
export type TxPayment = {
  payer: Payer
  offer: Offer
  requirements: PaymentRequirements
  hash: Hex
  header: { name: string; value: string }
}

/** Asks for the 402, pays it with a USDC transfer from a fresh payer, and signs the proof. */
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

/** An `exact` header as the request header to send. */
export function exactSignature(value: string): { name: string; value: string } {
  return { name: 'PAYMENT-SIGNATURE', value }
}

/** Sends `count` copies of a request at once, alternating between `merchants`. */
export function sendAtOnce(
  context: CaseContext,
  merchants: Merchant[],
  count: number,
  request: RawRequest,
): Promise<import('../raw-http.js').RawResponse[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) => context.send(merchants[index % merchants.length]!, request)),
  )
}
