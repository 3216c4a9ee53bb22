import { TollgateError } from '../errors/tollgate-error.js'
import { readPaymentIdentifier } from '../protocol/payment-identifier.js'
import type { PaymentPayload } from '../protocol/types.js'
import type { GateRuntime } from './gate-runtime.js'
import { requestTarget } from './replay-response.js'
import type { GateCompletion, GatePaid, GateRejected, GateRequest } from './types.js'

/** A payment identifier this request bound; see {@link bindPaymentIdentifier}. @internal */
export type PaymentIdentifierBinding = {
  /** Follows the decision: the identifier is spent with the payment, or freed when it was not consumed. */
  follow(decision: GatePaid | GateRejected): GatePaid | GateRejected
  /** Frees the identifier: the payment failed before it could be consumed. */
  release(): Promise<void>
}

const NONE: PaymentIdentifierBinding = {
  follow: (decision) => decision,
  release: async () => {},
}

/**
 * Binds x402's `payment-identifier` of a payload to that exact payload and request, before the
 * payment is verified (x402: look the identifier up first, bind it to the whole payload since the
 * lookup is unauthenticated). The first payload with an identifier claims `payment-id:<id>` with
 * the payload's digest; the same payload sent again goes on to the payment's own claim (a replay
 * of the kept response, `payment_in_progress`, a pending settlement); any other payload with that
 * identifier (another payer, another payment, another request) is refused. The identifier is
 * spent with the payment and freed when the payment was not consumed.
 * @internal
 * @example const binding = await bindPaymentIdentifier(runtime, payload, request); return binding.follow(await verify())
 * @throws {TollgateError} `payment_identifier_invalid` (format), `payment_identifier_required`,
 * `payment_identifier_conflict` (409), `store_unavailable`
 */
export async function bindPaymentIdentifier(
  runtime: GateRuntime,
  payload: PaymentPayload,
  request: GateRequest,
): Promise<PaymentIdentifierBinding> {
  const id = readPaymentIdentifier(payload)
  if (id === undefined) {
    if (runtime.options.paymentIdentifier?.required === true) {
      throw new TollgateError(
        'payment_identifier_required',
        'This server requires a payment identifier (the payment-identifier extension) with each payment.',
      )
    }
    return NONE
  }
  const key = `payment-id:${id}`
  const digest = await sha256Hex(JSON.stringify([requestTarget(request), payload.accepted, payload.payload]))
  const ttlSeconds = runtime.claimTtlSeconds
  const found = await runtime.store.claim(key, { ttlSeconds, value: digest })
  if (!found.claimed) {
    if (found.value !== digest) {
      throw new TollgateError(
        'payment_identifier_conflict',
        'This payment identifier was already used with another payment; send a new identifier with a new payment.',
        { details: { id } },
      )
    }
    // The same payment sent again: its own claim answers (replay, in progress, pending).
    return NONE
  }
  const { token } = found
  const spend = () => runtime.store.commit(key, token, { ttlSeconds, value: digest }).then(() => {})
  const release = () => runtime.store.release(key, token).then(() => {})
  return {
    release,
    follow(decision) {
      if (decision.outcome === 'rejected') {
        // A replayed answer means the payment was consumed; any other refusal consumed nothing.
        void (decision.replay === undefined ? release() : spend()).catch(() => {})
        return decision
      }
      const complete = decision.complete
      const cancel = decision.cancel
      return {
        ...decision,
        complete: async (status, kept) => {
          const completion = await complete(status, kept)
          await (consumed(completion) ? spend() : release()).catch(() => {})
          return completion
        },
        cancel: async () => {
          await cancel()
          await release().catch(() => {})
        },
      }
    },
  }
}

/** Whether a completion consumed the payment, or may have (a settlement still pending). */
function consumed(completion: GateCompletion): boolean {
  if (completion.ok) return completion.settlement?.success !== false
  return completion.error.code === 'settlement_pending'
}

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
