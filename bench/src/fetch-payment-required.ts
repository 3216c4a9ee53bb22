import { decodePaymentRequiredHeader, type PaymentRequired } from '@tollgate/core'

/**
 * Asks a priced route once without paying and returns its 402's `PAYMENT-REQUIRED`, decoded. One
 * answer is enough for a whole run: challenges are stateless and valid for their lifetime.
 *
 * @example const required = await fetchPaymentRequired(`${gateUrl}/api/search-like?q=bench`)
 * @throws {Error} when the route does not answer 402 with the header
 */
export async function fetchPaymentRequired(url: string): Promise<PaymentRequired> {
  const response = await fetch(url)
  await response.arrayBuffer()
  const header = response.headers.get('payment-required')
  if (response.status !== 402 || header === null) {
    throw new Error(`${url} answered ${response.status} without PAYMENT-REQUIRED; expected a 402.`)
  }
  return decodePaymentRequiredHeader(header)
}
