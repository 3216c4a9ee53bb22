import { TollgateError } from '../errors/tollgate-error.js'
import type { PaymentPayload } from '../protocol/types.js'
import type { ExactInput, ExactScheme } from '../scheme/types.js'
import { asVerificationError } from './as-verification-error.js'
import { buildRequirements } from './build-requirements.js'
import { callHook } from './call-hook.js'
import { claimOrReplayAuthorization } from './claim-or-replay-authorization.js'
import { claimSettledTransfer } from './claim-settled-transfer.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import { issueRoutePass } from './issue-route-pass.js'
import type { KeptResponse } from './keep-response.js'
import { keptHeaders } from './kept-headers.js'
import { limitPayer } from './limit-payer.js'
import type { Offer } from './offers.js'
import { requestTarget } from './replay-response.js'
import { settleExactPayment } from './settle-exact-payment.js'
import type {
  GateCompletion,
  GateContext,
  GatePaid,
  GateRejected,
  GateRequest,
  PaymentReceipt,
} from './types.js'

/**
 * Admits an `exact` authorization: claims it, verifies it, and returns a deferred paid decision
 * that settles once the handler succeeded (x402's order). A retry of an authorization whose
 * settlement is pending gets the chain's answer instead: paid once it confirmed, `503
 * settlement_pending` while it is pending, a fresh claim once it provably failed.
 * @internal
 * @throws {TollgateError} `unsupported_scheme`, `invalid_payload`, `payment_in_progress`, `payment_already_used`, x402
 * reason codes, `rpc_unavailable`, `rate_limited`, `store_unavailable`
 */
export async function verifyExactPayment(
  runtime: GateRuntime,
  route: CompiledRoute,
  offer: Offer,
  payload: PaymentPayload,
  request: GateRequest,
  context: GateContext,
  offers: readonly Offer[],
): Promise<GatePaid | GateRejected> {
  const scheme = offer.network.exact
  if (scheme === undefined)
    throw new TollgateError('unsupported_scheme', 'This network does not accept exact payments.')
  const requirements = await buildRequirements(runtime, route, offer)
  const input: ExactInput = {
    payload: payload.payload,
    requirements,
    asset: offer.asset,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  }
  const identity = scheme.identify(input)
  const { now, skewSeconds } = runtime
  const ttl = Math.max(1, identity.validBefore - Math.floor(now() / 1000)) + skewSeconds + 60
  const claimed = await claimOrReplayAuthorization(runtime, {
    scheme,
    input,
    route,
    offer,
    request,
    payer: identity.payer,
    key: `exact:${offer.network.network}:${identity.key}`,
    ttlSeconds: ttl,
  })
  if (!('claim' in claimed)) return claimed
  const { claim } = claimed
  // A verified authorization that will not be settled frees what the scheme held for it, then its claim.
  const release = async () => {
    scheme.abandon?.(input)
    await claim.release()
  }
  await verifyAuthorization(runtime, scheme, route, offer, input, identity.payer, release)
  // A pass is signed now so the handler can hand it out; the response that carries it is only
  // sent once settlement succeeded (x402's order), so an unsettled payment never leaks one.
  const pass = await issueRoutePass(runtime, offer, route, identity.payer, request)
  const receipt: PaymentReceipt = {
    method: 'payment',
    route: route.key,
    payer: identity.payer,
    scheme: 'exact',
    network: offer.network.network,
    asset: offer.asset.address,
    amount: offer.amount.toString(),
    ...(pass === undefined ? {} : { pass }),
  }
  // Once the handler ran, its status decides (ARCHITECTURE.md G5): a requester that leaves does
  // not abort the settlement, so the request's signal stays with verification.
  const { signal: _requestSignal, ...settlementInput } = input
  let completion: Promise<GateCompletion> | undefined
  const complete = (status: number, kept?: KeptResponse): Promise<GateCompletion> => {
    completion ??= settleExactPayment(runtime, {
      status,
      ...(kept === undefined || keptBytes(kept) > runtime.replayMaxBodyBytes
        ? {}
        : {
            kept: {
              ...kept,
              headers: keptHeaders(kept.headers),
              target: requestTarget(request),
              ...(pass === undefined ? {} : { pass }),
            },
          }),
      scheme,
      input: settlementInput,
      route,
      offer,
      offers,
      request,
      receipt,
      pass,
      payer: identity.payer,
      release,
      commit: async (settled) => {
        await claim.commit(settled)
        await claimSettledTransfer(runtime, offer.network.network, settled)
      },
      markPending: claim.markPending,
      holdForWindow: claim.holdForWindow,
      confirmHeld: claim.confirmHeld,
    })
    return completion
  }
  return {
    outcome: 'paid',
    receipt,
    headers: new Headers(),
    deferred: true,
    settles: true,
    headersFor: () => new Headers(),
    complete,
    cancel: async () => {
      if (completion === undefined) await complete(500)
    },
  }
}

async function verifyAuthorization(
  runtime: GateRuntime,
  scheme: ExactScheme,
  route: CompiledRoute,
  offer: Offer,
  input: ExactInput,
  payer: string,
  release: () => Promise<void>,
): Promise<void> {
  const started = runtime.now()
  const event = { scheme: 'exact', network: offer.network.network, route: route.key }
  try {
    await scheme.verify(input)
    callHook(runtime, 'onVerify', { ...event, durationMs: runtime.now() - started })
    await limitPayer(runtime, payer)
  } catch (error) {
    const failure = asVerificationError(error)
    callHook(runtime, 'onVerify', { ...event, durationMs: runtime.now() - started, error: failure })
    await release()
    throw failure
  }
}

/** The size of a kept body, in bytes, from its base64 length. */
function keptBytes(kept: KeptResponse): number {
  const padding = kept.body.endsWith('==') ? 2 : kept.body.endsWith('=') ? 1 : 0
  return (kept.body.length / 4) * 3 - padding
}
