import { TollgateError } from '../errors/tollgate-error.js'
import { approvalMissing } from './approval-missing.js'
import type { PolicyRuntime } from './compile-policy.js'
import { describePayment } from './describe-payment.js'
import { evaluateQuote, type QuoteEvaluation } from './evaluate-quote.js'
import { fireHook } from './fire-hook.js'
import { isPreApproved } from './is-pre-approved.js'
import { toLimitError } from './to-limit-error.js'
import type { PolicyPayment, PolicyQuote, Reservation, ReserveOptions } from './types.js'

/**
 * The `reserve` step of a spending policy: static checks, one atomic reservation in the ledger,
 * then approval when required (released again when approval is refused).
 *
 * @example const reservation = await reservePayment(runtime, quote, { id: paymentId })
 * @throws {TollgateError} every `policy_*` code of `createSpendingPolicy`, `invalid_payment_requirements`
 * and the ledger's own errors
 * @internal
 */
export async function reservePayment(
  runtime: PolicyRuntime,
  input: PolicyQuote,
  options: ReserveOptions = {},
): Promise<Reservation> {
  const at = runtime.now()
  const payment = describePayment(input, runtime.registry)
  let evaluation: QuoteEvaluation
  try {
    evaluation = evaluateQuote(runtime, input, payment, at)
    evaluation.approvalRequired &&= !isPreApproved(runtime, input, options)
    if (evaluation.approvalRequired && runtime.options.approve === undefined)
      throw approvalMissing(runtime, payment)
  } catch (error) {
    decline(runtime, payment, error, at)
    throw error
  }
  const id = options.id ?? crypto.randomUUID()
  const result = await runtime.ledger.reserve({
    spend: {
      id,
      reservedAt: at,
      url: payment.url,
      scheme: payment.scheme,
      network: payment.network,
      asset: input.requirements.asset,
      payTo: payment.payTo,
      amount: payment.amount,
      charges: evaluation.charges,
    },
    limits: evaluation.limits,
    ...(options.hold === undefined ? {} : { hold: options.hold }),
  })
  if (!result.reserved) {
    const error = toLimitError(runtime, result.exceeded, evaluation.charges, at)
    decline(runtime, payment, error, at)
    throw error
  }
  const reservation: Reservation = Object.freeze({ ...payment, id, reservedAt: at })
  if (evaluation.approvalRequired) await awaitApproval(runtime, payment, id)
  return reservation
}

async function awaitApproval(runtime: PolicyRuntime, payment: PolicyPayment, id: string): Promise<void> {
  let approved = false
  let failure: unknown
  try {
    const approve = runtime.options.approve as NonNullable<typeof runtime.options.approve>
    approved = (await approve({ ...payment })) === true
  } catch (error) {
    failure = error
  }
  if (approved) return
  // Nothing was signed: the budget provably did not move.
  await runtime.ledger.release(id, runtime.now())
  const error = new TollgateError(
    'policy_approval_declined',
    failure === undefined
      ? `The approval callback declined paying ${payment.amountFormatted} ${payment.asset.symbol}.`
      : `The approval callback failed, so paying ${payment.amountFormatted} ${payment.asset.symbol} is declined.`,
    {
      ...(failure === undefined ? {} : { cause: failure }),
      details: { threshold: runtime.approvalLine?.label, amount: payment.amountFormatted },
    },
  )
  decline(runtime, payment, error, runtime.now())
  throw error
}

function decline(runtime: PolicyRuntime, payment: PolicyPayment, error: unknown, at: number): void {
  if (TollgateError.is(error)) fireHook(runtime.options.onDecline, { ...payment, at, error })
}
