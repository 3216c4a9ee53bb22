/**
 * An encoded `exact` payment as the request header to send.
 *
 * @example paidRequest(SEARCH, exactSignature(await exactHeader(world, payer, offer.exact)))
 */
export function exactSignature(value: string): { name: string; value: string } {
  return { name: 'PAYMENT-SIGNATURE', value }
}
