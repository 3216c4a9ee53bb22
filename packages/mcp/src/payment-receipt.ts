import type { PaymentReceipt } from '@tollgate/core'

/** Receipts of the calls `withPayment` admitted, keyed by the call's `extra` object. @internal */
export const receiptsByRequest = new WeakMap<object, PaymentReceipt>()

/**
 * The gate's receipt for the current call, inside a handler wrapped by `withPayment`: pass the
 * handler's last argument. It names the payer, scheme, network and amount, and the transaction for
 * `tx` (an `exact` payment settles only after the handler). Undefined for calls the gate let
 * through for free.
 *
 * @example
 * withPayment(gate, 'forecast', async ({ city }, extra) => ({
 *   content: [{ type: 'text', text: `Sunny in ${city}, paid by ${paymentReceipt(extra)?.payer}` }],
 * }))
 */
export function paymentReceipt(extra: object): PaymentReceipt | undefined {
  return receiptsByRequest.get(extra)
}
