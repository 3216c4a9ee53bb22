import { encodePaymentReceipt } from '../mpp/encode-payment-receipt.js'
import { mppHeaderNames } from '../mpp/types.js'
import type { SettleResponse } from '../protocol/types.js'
import type { GateRuntime } from './gate-runtime.js'
import type { MppPayment } from './read-mpp-credential.js'
import type { GateDecision } from './types.js'

/**
 * Adds MPP's `Payment-Receipt` (method `evm`, reference = the settlement transaction, status
 * `success`) to the answers of a payment an MPP credential carried: the paid answer once its
 * settlement succeeded, and the kept answer replayed for a retry. `PAYMENT-RESPONSE` stays, as
 * both protocols' clients read their own. Error and pending answers get none, as the draft asks.
 * @internal
 * @example return withPaymentReceipt(runtime, decision, mpp)
 */
export function withPaymentReceipt(
  runtime: GateRuntime,
  decision: GateDecision,
  mpp: MppPayment,
): GateDecision {
  const receiptFor = (settlement: SettleResponse) =>
    encodePaymentReceipt({
      status: 'success',
      method: 'evm',
      reference: settlement.transaction,
      timestamp: new Date(runtime.now()).toISOString(),
      challengeId: mpp.challenge.id,
      chainId: mpp.chainId,
    })
  if (decision.outcome === 'rejected') {
    const { settlement, replay } = decision
    if (replay !== undefined && settlement?.success === true && settlement.transaction !== '') {
      decision.response.headers.set(mppHeaderNames.paymentReceipt, receiptFor(settlement))
    }
    return decision
  }
  if (decision.outcome !== 'paid') return decision
  const { complete } = decision
  return {
    ...decision,
    complete: async (status, kept) => {
      const completion = await complete(status, kept)
      if (
        completion.ok &&
        completion.settlement?.success === true &&
        completion.settlement.transaction !== ''
      ) {
        completion.headers.set(mppHeaderNames.paymentReceipt, receiptFor(completion.settlement))
      }
      return completion
    },
  }
}
