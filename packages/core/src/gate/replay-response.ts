import { base64ToBytes } from '../encoding/base64.js'
import type { SettleResponse } from '../protocol/types.js'
import { createSettleHeaders } from './create-settle-headers.js'
import type { KeptResponse } from './keep-response.js'
import type { GateRejected, GateRequest } from './types.js'

/**
 * Builds a kept paid response again for a retry of the same payment: the kept status, headers
 * and body, `Payment-Replay: true`, and the settlement's `PAYMENT-RESPONSE` with
 * `extensions.replay = true` (and `extensions.pass`, the pass the payment bought, when it bought
 * one: a buyer whose first answer was lost gets its pass). Nothing is run and nothing is charged.
 * @internal
 * @example return replayResponse(kept, { success: true, transaction, network, payer })
 */
export function replayResponse(kept: KeptResponse, settlement: SettleResponse): Response {
  return replayDecision(kept, settlement).response
}

/**
 * The gate's decision for a retry answered from a kept response: the replayed `response`, with
 * the kept answer and its settlement (`extensions.replay = true`) as objects for adapters that
 * speak another protocol (MCP tools).
 * @internal
 * @example return replayDecision(kept, { success: true, transaction, network, payer })
 */
export function replayDecision(kept: KeptResponse, settlement: SettleResponse): GateRejected {
  const headers = new Headers(kept.headers)
  const pass = kept.pass === undefined ? {} : { pass: kept.pass }
  const replayed: SettleResponse = {
    ...settlement,
    extensions: { ...settlement.extensions, ...pass, replay: true },
  }
  for (const [name, value] of createSettleHeaders(replayed)) headers.set(name, value)
  headers.set('Payment-Replay', 'true')
  const bytes = kept.body === '' ? undefined : base64ToBytes(kept.body)
  const body = bytes === undefined ? null : new Uint8Array(bytes)
  const { target: _, ...answer } = kept
  return {
    outcome: 'rejected',
    response: new Response(body, { status: kept.status, headers }),
    settlement: replayed,
    replay: answer,
  }
}

/**
 * The target a kept response is bound to: `"<METHOD> <path>?<query>"` as the gate routed it.
 * @internal
 * @example requestTarget({ method: 'get', url, path: '/report?x=1', headers }) // 'GET /report?x=1'
 */
export function requestTarget(request: GateRequest): string {
  const path = request.path ?? new URL(request.url).pathname + new URL(request.url).search
  return `${request.method.toUpperCase()} ${path}`
}

/**
 * Whether a kept response may answer `request`: it answered the same target (a response kept
 * before targets were recorded answers any).
 * @internal
 * @example if (answers(kept, request)) return replayDecision(kept, settlement)
 */
export function answers(kept: KeptResponse, request: GateRequest): boolean {
  return kept.target === undefined || kept.target === requestTarget(request)
}
