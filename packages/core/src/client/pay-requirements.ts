import type { PaymentPayload, PaymentRequired } from '../protocol/types.js'
import { acceptPayment } from './accept-payment.js'
import type { Candidate } from './choose-requirements.js'
import type { ClientRuntime } from './client-runtime.js'
import type { PayOptions, PendingPayment } from './client-types.js'
import { holdAuthorization } from './hold-authorization.js'
import { payExact } from './pay-exact.js'
import { payTx } from './pay-tx.js'
import { openPaymentSession } from './payment-session.js'
import { pickCandidates } from './pick-candidates.js'
import { reconcileAuthorizations } from './reconcile-authorizations.js'
import { refusePayment } from './refuse-payment.js'
import { restoreClient } from './restore-client.js'

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
  await restoreClient(runtime)
  const url = options.url
  const [candidate] = pickCandidates(runtime, paymentRequired.accepts, url, options)
  await reconcileAuthorizations(runtime)
  const session = openPaymentSession(runtime, { candidate: candidate as Candidate, url })
  runtime.emit({
    type: 'quote',
    url,
    requirements: session.candidate.requirements,
    asset: session.candidate.asset,
    amount: session.candidate.amount,
    display: session.display(),
  })
  const taken = new Set<string>()
  const done = () => {
    taken.add(session.id)
    for (const id of taken) runtime.inFlight.delete(id)
  }
  const payOptions = {
    ...(options.approvedUpTo === undefined ? {} : { approvedUpTo: options.approvedUpTo }),
    signal: options.signal,
  }
  try {
    if (session.candidate.requirements.scheme === 'tx') await payTx(runtime, session, payOptions)
    else await payExact(runtime, session, payOptions)
  } catch (error) {
    done()
    throw error
  }
  taken.add(session.id)
  return {
    payload: session.payload as PaymentPayload,
    accepted: async (settle) => {
      try {
        return await acceptPayment(runtime, session, settle)
      } finally {
        done()
      }
    },
    rejected: async (code) => {
      try {
        return await refusePayment(runtime, session, code)
      } finally {
        done()
      }
    },
    lost: () => {
      holdAuthorization(runtime, session)
      done()
    },
  }
}
