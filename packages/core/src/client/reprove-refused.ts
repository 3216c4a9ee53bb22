import { sameAddress } from '../chains/same-address.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { PaymentRequired, PaymentRequirements } from '../protocol/types.js'
import type { ClientRuntime } from './client-runtime.js'
import type { PaymentSession } from './payment-session.js'
import { proveTx } from './prove-tx.js'
import { retryDelay } from './retry-delay.js'
import { scheduleReconcile } from './schedule-reconcile.js'
import { sleep } from './sleep.js'

/** Refusals a `tx` payment recovers from by proving the same transfer again. @internal */
export const REPROVABLE = new Set([
  'challenge_expired',
  'challenge_invalid',
  'verify_unconfirmed',
  'verify_tx_not_found',
])

/**
 * The offer of a refusal's `PaymentRequired` that the session's payment answers again: same
 * scheme, network and asset, the same recipient and no higher price. A server that changed the
 * recipient or raised the price after the payment gets nothing more (the payment stays reserved
 * until the chain tells how it ended).
 * @internal
 * @throws {TollgateError} `pay_to_changed`, `price_changed`
 */
export function findOfferAgain(
  runtime: ClientRuntime,
  session: PaymentSession,
  paymentRequired: PaymentRequired,
  context: { url: string; code: string },
): PaymentRequirements {
  const requirements = session.candidate.requirements
  const again = paymentRequired.accepts.find(
    (entry) =>
      entry.scheme === requirements.scheme &&
      entry.network === requirements.network &&
      sameAddress(entry.network, entry.asset, requirements.asset),
  )
  if (again === undefined || !sameAddress(again.network, again.payTo, requirements.payTo)) {
    scheduleReconcile(runtime, session)
    throw new TollgateError(
      'pay_to_changed',
      'The server changed the recipient after the payment; nothing more is paid.',
      {
        details: {
          url: context.url,
          before: requirements.payTo,
          after: again?.payTo ?? null,
          code: context.code,
        },
      },
    )
  }
  if (BigInt(again.amount) > session.candidate.amount) {
    scheduleReconcile(runtime, session)
    throw new TollgateError(
      'price_changed',
      'The server raised the price after the payment; nothing more is paid.',
      {
        details: { url: context.url, before: requirements.amount, after: again.amount, code: context.code },
      },
    )
  }
  return again
}

/**
 * Proves a session's `tx` transfer again against a fresh challenge, after a backoff when the
 * server could not see the transfer yet. `proofs` is how many proofs were sent before this one.
 * @internal
 * @throws {TollgateError} `retry_limit_exceeded` after `maxProofAttempts`, `response_invalid`, `wallet_unavailable`
 */
export async function reproveTx(
  runtime: ClientRuntime,
  session: PaymentSession,
  retry: {
    requirements: PaymentRequirements
    code: string
    url: string
    proofs: number
    signal?: AbortSignal | undefined
  },
): Promise<void> {
  const { code, proofs } = retry
  if (proofs >= runtime.maxProofAttempts) {
    throw new TollgateError(
      'retry_limit_exceeded',
      `The server still refuses the proof after ${proofs} attempts (${code}).`,
      {
        details: { url: retry.url, code, transaction: session.transaction ?? null },
      },
    )
  }
  if (code === 'verify_unconfirmed' || code === 'verify_tx_not_found') {
    const wait = retryDelay({
      attempt: proofs + 1,
      retryAfter: null,
      baseMs: runtime.retry.baseDelayMs,
      maxMs: runtime.retry.maxDelayMs,
      now: runtime.now(),
      random: Math.random,
    })
    await sleep(wait ?? runtime.retry.maxDelayMs, retry.signal)
  }
  // The transfer is already paid: only the proof is new, for the amount first agreed.
  await proveTx(session, { ...retry.requirements, amount: session.candidate.requirements.amount })
}
