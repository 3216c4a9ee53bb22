import { PAYMENT_SCHEME } from './types.js'

/**
 * Whether an `Authorization` field value uses the `Payment` scheme (case-insensitive). Any other
 * scheme, such as a caller's own `Bearer` token, is not the gate's to read.
 *
 * @example hasPaymentScheme('Payment eyJ…') // true
 * @example hasPaymentScheme('Bearer abc') // false
 */
export function hasPaymentScheme(value: unknown): boolean {
  if (typeof value !== 'string') return false
  const trimmed = value.trimStart()
  const scheme = trimmed.slice(0, PAYMENT_SCHEME.length)
  const after = trimmed.charAt(PAYMENT_SCHEME.length)
  return (
    scheme.toLowerCase() === PAYMENT_SCHEME.toLowerCase() && (after === '' || after === ' ' || after === '\t')
  )
}
