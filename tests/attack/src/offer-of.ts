import { decodePaymentRequiredHeader, type PaymentRequirements } from '@tollgate/core'
import { rawHttp } from './raw-http.js'
import type { Merchant } from './start-merchant.js'

/** The requirements a priced route offers, per scheme. */
export type Offer = { tx: PaymentRequirements; exact: PaymentRequirements; resourceUrl: string }

/**
 * Asks `merchant` for the 402 of `method path` and returns its `tx` and `exact` requirements.
 *
 * @example const offer = await offerOf(merchant, 'GET', '/api/search')
 * @throws {Error} when the answer is not a 402 offering both schemes
 */
export async function offerOf(merchant: Merchant, method: string, path: string): Promise<Offer> {
  const response = await rawHttp(merchant.port, {
    method,
    target: path,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
  })
  const header = response.headers['payment-required']
  if (response.status !== 402 || header === undefined) {
    throw new Error(`Expected a 402 from ${method} ${path}, got ${response.status}: ${response.body}`)
  }
  const required = decodePaymentRequiredHeader(header)
  const tx = required.accepts.find((entry) => entry.scheme === 'tx')
  const exact = required.accepts.find((entry) => entry.scheme === 'exact')
  if (tx === undefined || exact === undefined) throw new Error(`${path} lacks a tx or exact offer.`)
  return { tx, exact, resourceUrl: required.resource.url }
}
