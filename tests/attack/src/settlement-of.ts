import { decodePaymentResponseHeader } from '@tollgate/core'

/**
 * The settlement transaction a successful `PAYMENT-RESPONSE` header names, if any.
 *
 * @example const hash = settlementOf(response.headers)
 */
export function settlementOf(headers: Record<string, string>): string | undefined {
  const header = headers['payment-response']
  if (header === undefined) return undefined
  const settled = decodePaymentResponseHeader(header)
  return settled.success ? settled.transaction : undefined
}
