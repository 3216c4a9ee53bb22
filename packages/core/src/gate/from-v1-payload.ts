import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { PaymentPayload } from '../protocol/types.js'
import { networkFromV1 } from '../protocol/v1-networks.js'
import type { Offer } from './offers.js'

/**
 * Lifts an x402 v1 payload to v2: v1 names only scheme and network, so the gate's own offer
 * supplies the rest.
 * @internal
 * @throws {TollgateError} `requirements_mismatch` when no offer has that scheme and network
 */
export function fromV1Payload(
  payload: { scheme: string; network: string; payload: Record<string, unknown> },
  offers: readonly Offer[],
): PaymentPayload {
  const network = networkFromV1(payload.network)
  const offer = offers.find((entry) => entry.scheme === payload.scheme && entry.network.network === network)
  if (offer === undefined || network === undefined) {
    throw new TollgateError(
      'requirements_mismatch',
      `No ${quote(payload.scheme)} requirement on ${quote(payload.network)}.`,
    )
  }
  return {
    x402Version: 2,
    accepted: {
      scheme: offer.scheme,
      network,
      asset: offer.asset.address,
      amount: offer.amount.toString(),
      payTo: offer.payTo,
      maxTimeoutSeconds: offer.maxTimeoutSeconds,
      extra: { ...offer.extra },
    },
    payload: payload.payload,
  }
}
