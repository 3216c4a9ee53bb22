import { decodePaymentResponseHeader } from '@tollgate/core'

/**
 * The pass token a `PAYMENT-RESPONSE` header carries, if any.
 *
 * @example const token = passOf(response.headers)
 */
export function passOf(headers: Record<string, string>): string | undefined {
  const header = headers['payment-response']
  if (header === undefined) return undefined
  const pass = decodePaymentResponseHeader(header).extensions?.pass as { token?: string } | undefined
  return pass?.token
}
