import { TollgateError } from '../errors/tollgate-error.js'
import type { SettleResponse } from '../protocol/types.js'
import { claimExactAuthorization, type ExactAuthorizationClaim } from './claim-exact-authorization.js'
import type { GateRuntime } from './gate-runtime.js'
import { answers, replayDecision } from './replay-response.js'
import { type ResolvePendingSettlementInput, resolvePendingSettlement } from './resolve-pending-settlement.js'
import type { GatePaid, GateRejected } from './types.js'

/** What claiming an `exact` authorization needs. @internal */
export type ClaimOrReplayAuthorizationInput = Omit<ResolvePendingSettlementInput, 'pending' | 'resume'> & {
  /** The authorization's claim key. */
  key: string
  /** Seconds the claim lives. */
  ttlSeconds: number
}

/**
 * Claims an `exact` authorization, or answers its retry: a spent authorization presented again
 * (the same signed authorization) gets its kept response replayed, nothing run or charged; a
 * claim held by a pending settlement of the same signed authorization is resolved from the chain
 * (and claimed afresh once that settlement provably failed).
 * @internal
 * @example const claimed = await claimOrReplayAuthorization(runtime, { scheme, input, route, offer, request, payer, key, ttlSeconds })
 * @throws {TollgateError} `payment_already_used` (spent, nothing kept for this request), `payment_in_progress`, `store_unavailable`, `rpc_unavailable`
 */
export async function claimOrReplayAuthorization(
  runtime: GateRuntime,
  claiming: ClaimOrReplayAuthorizationInput,
): Promise<{ claim: ExactAuthorizationClaim } | GatePaid | GateRejected> {
  const proof = await sha256Hex(JSON.stringify(claiming.input.payload))
  const details = { details: { network: claiming.offer.network.network } }
  for (let round = 0; round < 2; round++) {
    const found = await claimExactAuthorization(runtime.store, claiming.key, {
      ttlSeconds: claiming.ttlSeconds,
      proof,
      leaseSeconds: runtime.claimLeaseSeconds,
    })
    if (found.claimed) return { claim: found.claim }
    if (found.state === 'spent') {
      const { settled } = found
      // Only the same signed authorization, retried for the request it paid, gets the kept answer.
      if (
        settled?.proof === proof &&
        settled.response !== undefined &&
        answers(settled.response, claiming.request)
      ) {
        const settlement: SettleResponse = {
          success: true,
          transaction: settled.transaction,
          network: claiming.offer.network.network,
          payer: settled.payer,
        }
        return replayDecision(settled.response, settlement)
      }
      throw new TollgateError(
        'payment_already_used',
        'This authorization has already paid for a request.',
        details,
      )
    }
    if (found.pending === undefined || found.resume === undefined || found.pending.proof !== proof) break
    const { pending, resume } = found
    const resolved = await resolvePendingSettlement(runtime, { ...claiming, pending, resume })
    if (resolved.outcome !== 'released') return resolved
  }
  throw new TollgateError(
    'payment_in_progress',
    'This authorization is paying for a request right now; retry the same proof shortly.',
    { ...details, retryAfter: 1 },
  )
}

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
