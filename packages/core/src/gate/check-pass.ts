import { TollgateError } from '../errors/tollgate-error.js'
import { assertPassUsable, passLive } from '../pass/assert-pass-usable.js'
import { findScopeMismatch, type RequestUrl } from '../pass/find-scope-mismatch.js'
import type { PassPayload } from '../pass/pass-payload.js'
import { verifyPass } from '../pass/verify-pass.js'
import { callHook } from './call-hook.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import { limitPayer } from './limit-payer.js'
import type { GatePaid, GateRequest, PaymentReceipt } from './types.js'

/**
 * Admits a request carrying a pass. The common path (a token seen before, no revocation list, no
 * use count, no per-payer limit) stays synchronous: no promise, no store, one comparison of times
 * and scope.
 * @internal
 * @throws {TollgateError} `pass_*` codes, `rate_limited`
 */
export function checkPass(
  runtime: GateRuntime,
  route: CompiledRoute,
  token: string,
  request: GateRequest,
  url: RequestUrl,
): GatePaid | Promise<GatePaid> {
  // A token whose HMAC and payload were verified once is remembered; lifetime and scope are
  // still checked on every request. The keyring never changes during a gate's life.
  const known = runtime.verifiedPasses.get(token)
  if (known !== undefined) return admitPass(runtime, route, known.payload, request, url)
  return verifyPass(token, {
    keyring: runtime.keyring,
    now: runtime.now,
    clockSkewSeconds: runtime.skewSeconds,
  }).then((payload) => {
    runtime.verifiedPasses.set(token, payload)
    return admitPass(runtime, route, payload, request, url)
  })
}

/**
 * The decision for a pass whose token was verified before and that needs no store (no revocation
 * list, no use count, no per-payer limit), when it covers this request now; undefined otherwise,
 * for {@link checkPass} to decide and to say why. Never throws, never waits, builds no error.
 * `requestOf` gives the request for the `onPayment` hook, built only when there is one.
 * @internal
 */
export function admitKnownPass(
  runtime: GateRuntime,
  route: CompiledRoute,
  payload: PassPayload,
  method: string,
  url: RequestUrl,
  requestOf: () => GateRequest,
): GatePaid | undefined {
  if (needsStore(runtime, payload) || !passLive(payload, nowSeconds(runtime), runtime.skewSeconds)) {
    return undefined
  }
  const { scope } = payload
  if (scope.origin !== undefined && scope.origin !== url.origin) return undefined
  // The scope names the very pattern this request matched: the same method and path match it again.
  if (!scope.routes.includes(route.key) && findScopeMismatch(scope, { method, url }) !== undefined) {
    return undefined
  }
  return passDecision(runtime, route, payload, requestOf)
}

/**
 * The decision for a pass admitted before for the same request (see `rememberRide`): its store
 * needs and scope were decided then, and do not change; its lifetime is checked now. Undefined
 * once it is no longer live, for the full check to say why.
 * @internal
 */
export function admitRememberedPass(
  runtime: GateRuntime,
  route: CompiledRoute,
  payload: PassPayload,
  requestOf: () => GateRequest,
): GatePaid | undefined {
  if (!passLive(payload, nowSeconds(runtime), runtime.skewSeconds)) return undefined
  return passDecision(runtime, route, payload, requestOf)
}

function admitPass(
  runtime: GateRuntime,
  route: CompiledRoute,
  payload: PassPayload,
  request: GateRequest,
  url: RequestUrl,
): GatePaid | Promise<GatePaid> {
  const { options, store } = runtime
  const nowSeconds = assertUsable(runtime, payload, request.method, url)
  if (!needsStore(runtime, payload)) return passDecision(runtime, route, payload, () => request)
  return (async () => {
    if (options.passes?.checkRevocation && (await store.has(`pass:revoked:${payload.jti}`))) {
      throw new TollgateError('pass_revoked', 'This pass has been revoked.', {
        details: { jti: payload.jti },
      })
    }
    if (payload.uses !== undefined) {
      const remainingSeconds = Math.max(1, payload.exp - nowSeconds + runtime.skewSeconds)
      const used = await store.increment(`pass:uses:${payload.jti}`, remainingSeconds)
      if (used > payload.uses) {
        throw new TollgateError(
          'pass_uses_exhausted',
          `This pass allowed ${payload.uses} requests and all were used.`,
          { details: { jti: payload.jti, uses: payload.uses } },
        )
      }
    }
    await limitPayer(runtime, payload.sub)
    return passDecision(runtime, route, payload, () => request)
  })()
}

// Lifetime and scope, checked on every request; returns the time it checked against.
function assertUsable(runtime: GateRuntime, payload: PassPayload, method: string, url: RequestUrl): number {
  const seconds = nowSeconds(runtime)
  assertPassUsable(payload, {
    nowSeconds: seconds,
    clockSkewSeconds: runtime.skewSeconds,
    request: { method, url },
  })
  return seconds
}

function nowSeconds(runtime: GateRuntime): number {
  return Math.floor(runtime.now() / 1000)
}

function needsStore(runtime: GateRuntime, payload: PassPayload): boolean {
  const { options } = runtime
  return (
    options.passes?.checkRevocation === true ||
    payload.uses !== undefined ||
    options.rateLimit?.perPayer !== undefined
  )
}

function passDecision(
  runtime: GateRuntime,
  route: CompiledRoute,
  payload: PassPayload,
  requestOf: () => GateRequest,
): GatePaid {
  const receipt: PaymentReceipt = {
    method: 'pass',
    route: route.key,
    payer: payload.sub,
    passId: payload.jti,
  }
  if (runtime.hooks.onPayment !== undefined) callHook(runtime, 'onPayment', { receipt, request: requestOf() })
  const headers = new Headers()
  return {
    outcome: 'paid',
    receipt,
    headers,
    deferred: false,
    settles: false,
    headersFor: () => headers,
    complete: async () => ({ ok: true, headers, receipt }),
    cancel: async () => {},
  }
}
