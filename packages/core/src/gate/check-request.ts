import { TollgateError } from '../errors/tollgate-error.js'
import type { RequestUrl } from '../pass/find-scope-mismatch.js'
import { requestHeaderKeys } from '../protocol/headers.js'
import { decodePaymentSignatureHeader, decodeXPaymentHeader } from '../protocol/payment-signature-header.js'
import type { PaymentPayload } from '../protocol/types.js'
import { bindPaymentIdentifier } from './bind-payment-identifier.js'
import { admitKnownPass, checkPass } from './check-pass.js'
import type { CompiledRoute } from './compile-routes.js'
import { findRoute } from './find-route.js'
import { fromV1Payload } from './from-v1-payload.js'
import type { GateRuntime } from './gate-runtime.js'
import { locate } from './locate-request.js'
import { findOffer, type Offer } from './offers.js'
import { paymentRequiredAnswer } from './payment-required-answer.js'
import { readMppCredential } from './read-mpp-credential.js'
import { carriesPayment, readPaymentHeaders } from './read-payment-headers.js'
import { rejectRequest } from './reject-request.js'
import { rememberRide, rideRemembered } from './remembered-ride.js'
import { type GateTarget, resolveGateTarget } from './resolve-gate-target.js'
import { resolveOffers } from './resolve-offers.js'
import { resolveOrigin } from './resolve-origin.js'
import { serveDiscovery } from './serve-discovery.js'
import type { GateContext, GateDecision, GatePaid, GateRejected, GateRequest } from './types.js'
import { verifyExactPayment } from './verify-exact-payment.js'
import { verifyTxPayment } from './verify-tx-payment.js'
import { withPaymentReceipt } from './with-payment-receipt.js'

const FREE: GateDecision = { outcome: 'free' }

/**
 * The gate's decision for one request: free, paid (by payment or pass), or rejected with the
 * response to send. Never throws: every failure becomes a rejection. A free request and a ride on a
 * known pass that needs no store are decided at once, with no promise. `signalSource` gives the
 * request's signal when `context` has none (from `gate.handle`): it is read only for a request that
 * carries a payment, as some servers build it on first access.
 * @internal
 */
export function checkRequest(
  runtime: GateRuntime,
  request: GateRequest,
  context: GateContext = {},
  signalSource?: { readonly signal: AbortSignal },
): GateDecision | Promise<GateDecision> {
  // The same pass on the same request as before: decided by comparing, with no routing or parsing.
  const remembered = rideRemembered(runtime, request)
  if (remembered !== undefined) return remembered
  const target = resolveGateTarget(request)
  const found = findRoute(runtime.routes, request.method, target.path)
  // Discovery documents are served only where no priced route matches: the user's route wins.
  if (found === undefined) return serveDiscovery(runtime, request, target) ?? FREE
  let origin: string
  try {
    origin = resolveOrigin(runtime.origin, request)
  } catch (error) {
    return refuse(runtime, found.route, null, request, error)
  }
  const url: RequestUrl = { origin, pathname: found.pathname }
  return (
    rideKnownPass(runtime, found.route, request, target, url) ??
    checkPriced(runtime, found.route, request, locate(request, target, origin), url, context, signalSource)
  )
}

// A ride on a pass the gate verified before, with no per-IP limit and no store to ask: decided
// now. Anything else, a failure included, is left to the full check, which reports it.
function rideKnownPass(
  runtime: GateRuntime,
  route: CompiledRoute,
  request: GateRequest,
  target: GateTarget,
  url: RequestUrl,
): GatePaid | undefined {
  if (runtime.options.rateLimit?.perIp !== undefined) return undefined
  try {
    const { headers } = request
    const token = headers.get(requestHeaderKeys.pass)
    if (token === null) return undefined
    const known = runtime.verifiedPasses.get(token)
    if (known === undefined || carriesPayment(runtime, headers)) return undefined
    const decision = admitKnownPass(runtime, route, known.payload, request.method, url, () =>
      locate(request, target, url.origin),
    )
    if (decision !== undefined) rememberRide(runtime, known, request, target, route, url)
    return decision
  } catch {
    return undefined
  }
}

async function checkPriced(
  runtime: GateRuntime,
  route: CompiledRoute,
  request: GateRequest,
  located: GateRequest,
  url: RequestUrl,
  context: GateContext,
  signalSource: { readonly signal: AbortSignal } | undefined,
): Promise<GateDecision> {
  let offers: Offer[] | null = null
  try {
    await limitIp(runtime, context)
    const sent = readPaymentHeaders(runtime, located.headers)
    const passToken = located.headers.get(requestHeaderKeys.pass)
    if (passToken !== null && sent.signature === null && sent.v1 === null && sent.mpp === null) {
      try {
        return await checkPass(runtime, route, passToken, located, url)
      } catch (error) {
        // An unusable pass is answered like an unpaid request, so the agent can pay instead.
        offers = await resolveOffers(runtime, route, request)
        if (offers === null) return FREE
        throw error
      }
    }
    offers = await resolveOffers(runtime, route, request)
    if (offers === null) return FREE
    if (sent.signature === null && sent.v1 === null && sent.mpp === null) {
      const { response, paymentRequired } = await paymentRequiredAnswer(runtime, route, offers, located)
      return { outcome: 'rejected', response, paymentRequired }
    }
    // An MPP credential becomes the `exact` payload it carries: one path claims and settles both.
    const mpp =
      sent.mpp === null ? undefined : await readMppCredential(runtime, route, offers, located, sent.mpp)
    const withReceipt = (decision: GateDecision) =>
      mpp === undefined ? decision : withPaymentReceipt(runtime, decision, mpp)
    const payload =
      mpp?.payload ??
      (sent.signature !== null
        ? decodePaymentSignatureHeader(sent.signature, { maxBytes: runtime.maxHeaderBytes })
        : fromV1Payload(
            decodeXPaymentHeader(sent.v1 as string, { maxBytes: runtime.maxHeaderBytes }),
            offers,
          ))
    // x402's payment-identifier is looked up before verification: a resend may no longer verify.
    const binding = await bindPaymentIdentifier(runtime, payload, located)
    const paying = withSignal(context, signalSource)
    const decision = binding.follow(
      await verifyPayment(runtime, route, offers, payload, located, paying).catch(async (error: unknown) => {
        await binding.release().catch(() => {})
        throw error
      }),
    )
    if (decision.outcome === 'rejected') return withReceipt(decision)
    if (paying.signal?.aborted === true) {
      // The requester left while the payment was verified: nothing is served, nothing is kept.
      await decision.cancel()
      throw new TollgateError('request_aborted', 'The requester left before the request was served.')
    }
    return withReceipt(decision)
  } catch (error) {
    return refuse(runtime, route, offers, located, error)
  }
}

function refuse(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: Offer[] | null,
  request: GateRequest,
  error: unknown,
): Promise<GateDecision> {
  const failure = TollgateError.is(error)
    ? error
    : new TollgateError('internal_error', 'The gate could not check this request.', { cause: error })
  return rejectRequest(runtime, route, offers, request, failure)
}

async function limitIp(runtime: GateRuntime, context: GateContext): Promise<void> {
  const bucket = runtime.options.rateLimit?.perIp
  if (bucket === undefined) return
  const clientIp = typeof context.clientIp === 'function' ? context.clientIp() : context.clientIp
  if (clientIp === undefined) return
  const result = await runtime.store.take(`rate:ip:${clientIp}`, bucket)
  if (!result.allowed) {
    throw new TollgateError('rate_limited', 'Too many requests from this address.', {
      retryAfter: result.retryAfterSeconds,
    })
  }
}

async function verifyPayment(
  runtime: GateRuntime,
  route: CompiledRoute,
  offers: Offer[],
  payload: PaymentPayload,
  request: GateRequest,
  context: GateContext,
): Promise<GatePaid | GateRejected> {
  const offer = findOffer(offers, payload.accepted)
  if (offer === undefined) {
    throw new TollgateError(
      'requirements_mismatch',
      'The payment does not match any current requirement of this route (price, asset, network or recipient changed).',
      {
        details: {
          scheme: payload.accepted.scheme,
          network: payload.accepted.network,
          amount: payload.accepted.amount,
        },
      },
    )
  }
  if (!runtime.networksById.has(offer.network.network))
    throw new TollgateError('invalid_network', 'Network not accepted.')
  return offer.scheme === 'tx'
    ? await verifyTxPayment(runtime, route, offer, payload, request, context)
    : await verifyExactPayment(runtime, route, offer, payload, request, context, offers)
}

// The context with the request's signal read, for verifying a payment.
function withSignal(context: GateContext, source: { readonly signal: AbortSignal } | undefined): GateContext {
  if (context.signal !== undefined || source === undefined) return context
  const { signal } = source
  return signal === undefined ? context : { ...context, signal }
}
