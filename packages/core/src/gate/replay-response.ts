import { base64ToBytes } from '../encoding/base64.js'
import type { SettleResponse } from '../protocol/types.js'
import { createSettleHeaders } from './create-settle-headers.js'
import type { KeptResponse } from './keep-response.js'

/**
 * Builds a kept paid response again for a retry of the same payment: the kept status, headers
 * and body, `Payment-Replay: true`, and the settlement's `PAYMENT-RESPONSE` with
 * `extensions.replay = true` (and `extensions.pass`, the pass the payment bought, when it bought
 * one: a buyer whose first answer was lost gets its pass). Nothing is run and nothing is charged.
 * @internal
 * @example return replayResponse(kept, { success: true, transaction, network, payer })
 */
export function replayResponse(kept: KeptResponse, settlement: SettleResponse): Response {
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
  return new Response(body, { status: kept.status, headers })
}
