import type { PaymentPayload, PaymentRequired } from '../protocol/types.js'
import { acceptPayment } from './accept-payment.js'
import type { Candidate } from './choose-requirements.js'
import type { ClientRuntime } from './client-runtime.js'
import type { PayOptions, PendingPayment } from './client-types.js'
import { payExact } from './pay-exact.js'
import { payTx } from './pay-tx.js'
import { openPaymentSession } from './payment-session.js'
import { pickCandidates } from './pick-candidates.js'
import { reconcileAuthorizations } from './reconcile-authorizations.js'
import { refusePayment } from './refuse-payment.js'
import { findOfferAgain, REPROVABLE, reproveTx } from './reprove-refused.js'
import { requestDigest } from './request-digest.js'
import { scheduleReconcile } from './schedule-reconcile.js'

/**
 * Pays requirements that arrived outside HTTP (such as an MCP tool's `PaymentRequired`) under the
 * client's policy and ledger; the caller sends the payload and reports the outcome once.
 * @example const pending = await payRequirements(runtime, paymentRequired, { url: 'mcp://tool/search' })
 * @throws {TollgateError} `policy_*`, `no_payable_option`, `price_above_limit`, `payment_failed`, `wallet_*`
 * @internal
 */
export async function payRequirements(
  runtime: ClientRuntime,
  paymentRequired: PaymentRequired,
  options: PayOptions,
): Promise<PendingPayment> {
  await reconcileAuthorizations(runtime)
  const url = options.url
  const [candidate] = await pickCandidates(runtime, paymentRequired.accepts, url, options)
  const holder = crypto.randomUUID()
  const held = new Set<string>()
  const request = await requestDigest('PAY', url, new TextEncoder().encode(options.request ?? ''))
  const session = openPaymentSession(runtime, {
    candidate: candidate as Candidate,
    url,
    holder,
    held,
    request,
    declared: paymentRequired.extensions,
  })
  runtime.emit({
    type: 'quote',
    url,
    requirements: session.candidate.requirements,
    asset: session.candidate.asset,
    amount: session.candidate.amount,
    display: session.display(),
  })
  const done = async () => {
    await Promise.all([...held].map((id) => runtime.ledger.unhold(id, holder).catch(() => {})))
  }
  const payOptions = {
    ...(options.approvedUpTo === undefined ? {} : { approvedUpTo: options.approvedUpTo }),
    signal: options.signal,
  }
  try {
    if (session.candidate.requirements.scheme === 'tx') await payTx(runtime, session, payOptions)
    else await payExact(runtime, session, payOptions)
  } catch (error) {
    await done()
    throw error
  }
  let proofs = 0
  return {
    get payload() {
      return session.payload as PaymentPayload
    },
    retry: async (refusal, code) => {
      if (session.candidate.requirements.scheme !== 'tx' || !REPROVABLE.has(code)) return undefined
      const again = findOfferAgain(runtime, session, refusal, { url, code })
      await reproveTx(runtime, session, { requirements: again, code, url, proofs, signal: options.signal })
      proofs++
      return session.payload as PaymentPayload
    },
    accepted: async (settle) => {
      try {
        return await acceptPayment(runtime, session, settle)
      } finally {
        await done()
      }
    },
    rejected: async (code) => {
      try {
        return await refusePayment(runtime, session, code)
      } finally {
        await done()
      }
    },
    lost: () => {
      scheduleReconcile(runtime, session)
      void done()
    },
  }
}
