import { createChainRegistry } from '../chains/create-chain-registry.js'
import { issueChallenge } from '../challenge/issue-challenge.js'
import { verifyChallenge } from '../challenge/verify-challenge.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { createKeyring, type Keyring } from '../keyring/create-keyring.js'
import { assertPassUsable } from '../pass/assert-pass-usable.js'
import { encodePass } from '../pass/encode-pass.js'
import type { RequestUrl } from '../pass/find-scope-mismatch.js'
import type { PassPayload } from '../pass/pass-payload.js'
import { verifyPass } from '../pass/verify-pass.js'
import type { Price } from '../price/parse-price.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import { createPaymentRequiredResponse } from '../protocol/create-payment-required-response.js'
import { DEFAULT_MAX_HEADER_BYTES, headerNames } from '../protocol/headers.js'
import { encodePaymentResponseHeader } from '../protocol/payment-response-header.js'
import { decodePaymentSignatureHeader, decodeXPaymentHeader } from '../protocol/payment-signature-header.js'
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  SettleResponse,
} from '../protocol/types.js'
import { networkFromV1 } from '../protocol/v1-networks.js'
import { compareRouteSpecificity } from '../route/compare-route-specificity.js'
import { parseRoutePattern, type RoutePattern } from '../route/parse-route-pattern.js'
import { createMemoryStore } from '../store/memory-store.js'
import { createProofMessage } from '../tx/create-proof-message.js'
import { buildOffers, findOffer, type Offer, type OfferContext } from './offers.js'
import type {
  CreateGateOptions,
  Gate,
  GateCompletion,
  GateContext,
  GateDecision,
  GatePaid,
  GateRequest,
  IssuedPass,
  PaymentNetwork,
  PaymentReceipt,
  RouteConfig,
} from './types.js'

type CompiledRoute = {
  key: string
  pattern: RoutePattern
  config: RouteConfig
  /** Offers of a fixed price, built once at startup (which also validates the configuration). */
  staticOffers?: Offer[]
}

const FREE: GateDecision = { outcome: 'free' }
const MAX_VERIFIED_PASSES = 10_000
const MAX_FIELD = 1024

/**
 * Creates a gate that charges for routes over HTTP 402 (x402 v2): it quotes prices, verifies
 * `tx` proofs and `exact` authorizations, sells passes, and never serves an unpaid request or
 * accepts a payment twice. Runs on any runtime with web `Request`/`Response`.
 *
 * @example
 * const gate = createGate({
 *   routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
 *   payTo: '0xYourAddress',
 *   networks: [evmNetwork({ network: 'eip155:8453', rpcUrl })],
 *   secret: process.env.TOLLGATE_SECRET,
 *   store: createRedisStore({ url }),
 * })
 * const decision = await gate.check(request)
 * @throws {TollgateError} `config_invalid` when routes, prices, networks or the secret are invalid
 */
export function createGate(options: CreateGateOptions): Gate {
  const registry = options.registry ?? createChainRegistry()
  const store = options.store ?? createMemoryStore()
  const keyring = toKeyring(options.secret)
  const now = options.now ?? Date.now
  const windowSeconds = options.acceptanceWindowSeconds ?? 3600
  const skewSeconds = options.clockSkewSeconds ?? 30
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES
  const hooks = options.hooks ?? {}
  // Spent proofs must outlive the window they could be accepted in (DESIGN invariant 3).
  const claimTtlSeconds = windowSeconds + 2 * skewSeconds + 60

  if (options.networks.length === 0)
    throw new TollgateError('config_invalid', 'A gate needs at least one network.')
  for (const network of options.networks) registry.chain(network.network)
  const networksById = new Map(options.networks.map((network) => [network.network, network]))
  const offerContext: OfferContext = {
    registry,
    networks: options.networks,
    payTo: (network) => resolvePayTo(options.payTo, network, registry),
  }
  const routes = compileRoutes(options.routes, offerContext)
  const verifiedPasses = new Map<string, PassPayload>()

  const emit = <Name extends keyof NonNullable<CreateGateOptions['hooks']>>(
    name: Name,
    event: Parameters<NonNullable<NonNullable<CreateGateOptions['hooks']>[Name]>>[0],
  ): void => {
    try {
      ;(hooks[name] as ((value: typeof event) => void) | undefined)?.(event)
    } catch {
      // A broken metrics sink must never change a payment decision.
    }
  }

  const offersFor = async (route: CompiledRoute, request: GateRequest): Promise<Offer[] | null> => {
    if (route.staticOffers) return route.staticOffers
    const price = await (
      route.config.price as (request: GateRequest) => Price | null | Promise<Price | null>
    )(request)
    if (price === null) return null
    return buildOffers({ key: route.key, ...route.config }, price, offerContext)
  }

  const paymentRequired = async (
    route: CompiledRoute,
    offers: Offer[],
    request: GateRequest,
  ): Promise<PaymentRequired> => {
    const accepts: PaymentRequirements[] = []
    for (const offer of offers) accepts.push(await requirementsFor(route, offer))
    return {
      x402Version: 2,
      resource: {
        url: request.url,
        ...(route.config.description === undefined ? {} : { description: route.config.description }),
        ...(route.config.mimeType === undefined ? {} : { mimeType: route.config.mimeType }),
      },
      accepts,
    }
  }

  const requirementsFor = async (route: CompiledRoute, offer: Offer): Promise<PaymentRequirements> => {
    const extra: Record<string, unknown> = { ...offer.extra }
    if (offer.scheme === 'tx') {
      extra.challenge = await issueChallenge(challengeClaims(route.key, offer), {
        keyring,
        now,
        ttlSeconds: offer.maxTimeoutSeconds,
      })
      extra.confirmations = offer.confirmations
    }
    return {
      scheme: offer.scheme,
      network: offer.network.network,
      asset: offer.asset.address,
      amount: offer.amount.toString(),
      payTo: offer.payTo,
      maxTimeoutSeconds: offer.maxTimeoutSeconds,
      extra,
    }
  }

  const reject = async (
    route: CompiledRoute,
    offers: Offer[] | null,
    request: GateRequest,
    error: TollgateError,
  ): Promise<GateDecision> => {
    emit('onReject', { error, route: route.key, request })
    if (error.status === 402 && offers !== null) {
      const body = await paymentRequired(route, offers, request)
      return { outcome: 'rejected', error, response: createPaymentRequiredResponse(body, { error }) }
    }
    return { outcome: 'rejected', error, response: createErrorResponse(error) }
  }

  const issuePass = async (
    offer: Offer,
    route: CompiledRoute,
    payer: string,
    request: GateRequest,
  ): Promise<IssuedPass | undefined> => {
    if (offer.pass === undefined) return undefined
    const scope = { routes: [...(offer.pass.scope ?? [route.key])], origin: new URL(request.url).origin }
    const { token, payload } = await encodePass(
      {
        sub: payer,
        scope,
        ttlSeconds: offer.pass.ttlSeconds,
        ...(offer.pass.uses === undefined ? {} : { uses: offer.pass.uses }),
      },
      { keyring, now },
    )
    return {
      token,
      expiresAt: payload.exp,
      scope,
      ...(offer.pass.uses === undefined ? {} : { uses: offer.pass.uses }),
    }
  }

  const settleHeaders = (response: SettleResponse): Headers => {
    const headers = new Headers()
    headers.set(headerNames.paymentResponse, encodePaymentResponseHeader(response))
    return headers
  }

  const limitPayer = async (payer: string): Promise<void> => {
    if (options.rateLimit?.perPayer === undefined) return
    const result = await store.take(`rate:payer:${payer.toLowerCase()}`, options.rateLimit.perPayer)
    if (!result.allowed) {
      throw new TollgateError('rate_limited', 'Too many paid requests from this payer.', {
        retryAfter: result.retryAfterSeconds,
      })
    }
  }

  // The common pass path (a token seen before, no revocation list, no use count, no per-payer
  // limit) stays synchronous: no promise, no store, one comparison of times and scope.
  const checkPass = (
    route: CompiledRoute,
    token: string,
    request: GateRequest,
    url: RequestUrl,
  ): GatePaid | Promise<GatePaid> => {
    // A token whose HMAC and payload were verified once is remembered; lifetime and scope are
    // still checked on every request. The keyring never changes during a gate's life.
    const known = verifiedPasses.get(token)
    if (known !== undefined) return admitPass(route, known, request, url)
    return verifyPass(token, { keyring, now, clockSkewSeconds: skewSeconds }).then((payload) => {
      if (verifiedPasses.size >= MAX_VERIFIED_PASSES) {
        verifiedPasses.delete(verifiedPasses.keys().next().value as string)
      }
      verifiedPasses.set(token, payload)
      return admitPass(route, payload, request, url)
    })
  }

  const admitPass = (
    route: CompiledRoute,
    payload: PassPayload,
    request: GateRequest,
    url: RequestUrl,
  ): GatePaid | Promise<GatePaid> => {
    const nowSeconds = Math.floor(now() / 1000)
    assertPassUsable(payload, {
      nowSeconds,
      clockSkewSeconds: skewSeconds,
      request: { method: request.method, url },
    })
    const storeChecks =
      options.passes?.checkRevocation === true ||
      payload.uses !== undefined ||
      options.rateLimit?.perPayer !== undefined
    if (!storeChecks) return passDecision(route, payload, request)
    return (async () => {
      if (options.passes?.checkRevocation && (await store.has(`pass:revoked:${payload.jti}`))) {
        throw new TollgateError('pass_revoked', 'This pass has been revoked.', {
          details: { jti: payload.jti },
        })
      }
      if (payload.uses !== undefined) {
        const remainingSeconds = Math.max(1, payload.exp - nowSeconds + skewSeconds)
        const used = await store.increment(`pass:uses:${payload.jti}`, remainingSeconds)
        if (used > payload.uses) {
          throw new TollgateError(
            'pass_uses_exhausted',
            `This pass allowed ${payload.uses} requests and all were used.`,
            {
              details: { jti: payload.jti, uses: payload.uses },
            },
          )
        }
      }
      if (options.rateLimit?.perPayer !== undefined) await limitPayer(payload.sub)
      return passDecision(route, payload, request)
    })()
  }

  const passDecision = (route: CompiledRoute, payload: PassPayload, request: GateRequest): GatePaid => {
    const receipt: PaymentReceipt = {
      method: 'pass',
      route: route.key,
      payer: payload.sub,
      passId: payload.jti,
    }
    emit('onPayment', { receipt, request })
    const headers = new Headers()
    return {
      outcome: 'paid',
      receipt,
      headers,
      deferred: false,
      settles: false,
      complete: async () => ({ ok: true, headers, receipt }),
    }
  }

  const verifyTx = async (
    route: CompiledRoute,
    offer: Offer,
    payload: PaymentPayload,
    request: GateRequest,
    context: GateContext,
  ): Promise<GatePaid> => {
    const verifier = offer.network.tx
    if (verifier === undefined)
      throw new TollgateError('unsupported_scheme', 'This network does not accept tx proofs.')
    const proof = payload.payload
    const transaction = verifier.parseTransaction(proof.transaction)
    if (transaction === undefined) {
      throw new TollgateError(
        'invalid_payload',
        `The tx payload's transaction ${quote(proof.transaction)} is malformed.`,
      )
    }
    const challenge = boundedString(proof.challenge ?? payload.accepted.extra.challenge, 'challenge')
    const signature = boundedString(proof.signature, 'signature')
    await verifyChallenge(challenge, {
      keyring,
      now,
      clockSkewSeconds: skewSeconds,
      expected: challengeClaims(route.key, offer),
    })
    const claimKey = `tx:${offer.network.network}:${transaction}`
    const token = await store.claim(claimKey, claimTtlSeconds)
    if (token === undefined) {
      throw new TollgateError('payment_already_used', 'This transaction has already paid for a request.', {
        details: { transaction, network: offer.network.network },
      })
    }
    const started = now()
    try {
      const nowSeconds = Math.floor(started / 1000)
      const verified = await verifier.verifyTransfer({
        transaction,
        signature,
        message: createProofMessage({ network: offer.network.network, transaction, challenge }),
        asset: offer.asset,
        payTo: offer.payTo,
        amount: offer.amount,
        confirmations: offer.confirmations,
        notBefore: nowSeconds - windowSeconds,
        notAfter: nowSeconds + skewSeconds,
        hints: proof,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      })
      emit('onVerify', {
        scheme: 'tx',
        network: offer.network.network,
        route: route.key,
        durationMs: now() - started,
      })
      if (options.rateLimit?.perPayer !== undefined) await limitPayer(verified.payer)
      const pass = await issuePass(offer, route, verified.payer, request)
      const receipt: PaymentReceipt = {
        method: 'payment',
        route: route.key,
        payer: verified.payer,
        scheme: 'tx',
        network: offer.network.network,
        asset: offer.asset.address,
        amount: verified.amount.toString(),
        transaction,
        ...(pass === undefined ? {} : { pass }),
      }
      const headers = settleHeaders({
        success: true,
        transaction,
        network: offer.network.network,
        payer: verified.payer,
        ...(pass === undefined ? {} : { extensions: { pass } }),
      })
      emit('onPayment', { receipt, request })
      let completed = false
      return {
        outcome: 'paid',
        receipt,
        headers,
        deferred: false,
        settles: true,
        complete: async (status) => {
          // Payment without service is a bug: free the proof so the agent can retry it.
          if (!completed && status >= 500) await store.release(claimKey, token).catch(() => {})
          completed = true
          return { ok: true, headers, receipt }
        },
      }
    } catch (error) {
      const failure = asVerificationError(error)
      emit('onVerify', {
        scheme: 'tx',
        network: offer.network.network,
        route: route.key,
        durationMs: now() - started,
        error: failure,
      })
      await store.release(claimKey, token).catch(() => {})
      throw failure
    }
  }

  const verifyExact = async (
    route: CompiledRoute,
    offer: Offer,
    payload: PaymentPayload,
    request: GateRequest,
    context: GateContext,
    offers: Offer[],
  ): Promise<GatePaid> => {
    const scheme = offer.network.exact
    if (scheme === undefined)
      throw new TollgateError('unsupported_scheme', 'This network does not accept exact payments.')
    const requirements = await requirementsFor(route, offer)
    const input = {
      payload: payload.payload,
      requirements,
      asset: offer.asset,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    }
    const identity = scheme.identify(input)
    const claimKey = `exact:${offer.network.network}:${identity.key}`
    const ttl = Math.max(1, identity.validBefore - Math.floor(now() / 1000)) + skewSeconds + 60
    const token = await store.claim(claimKey, ttl)
    if (token === undefined) {
      throw new TollgateError('payment_already_used', 'This authorization has already been used.', {
        details: { network: offer.network.network },
      })
    }
    const started = now()
    try {
      await scheme.verify(input)
      emit('onVerify', {
        scheme: 'exact',
        network: offer.network.network,
        route: route.key,
        durationMs: now() - started,
      })
      if (options.rateLimit?.perPayer !== undefined) await limitPayer(identity.payer)
    } catch (error) {
      const failure = asVerificationError(error)
      emit('onVerify', {
        scheme: 'exact',
        network: offer.network.network,
        route: route.key,
        durationMs: now() - started,
        error: failure,
      })
      await store.release(claimKey, token).catch(() => {})
      throw failure
    }
    // A pass is signed now so the handler can hand it out; the response that carries it is only
    // sent once settlement succeeded (x402's order), so an unsettled payment never leaks one.
    const pass = await issuePass(offer, route, identity.payer, request)
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
    let completion: Promise<GateCompletion> | undefined
    const settle = async (status: number): Promise<GateCompletion> => {
      if (status >= 400) {
        // The handler failed: nothing is settled, and the authorization stays usable.
        await store.release(claimKey, token).catch(() => {})
        return { ok: true, headers: new Headers(), receipt }
      }
      const settleStarted = now()
      try {
        const settled = await scheme.settle(input)
        const finalReceipt: PaymentReceipt = { ...receipt, transaction: settled.transaction }
        const response: SettleResponse = {
          success: true,
          transaction: settled.transaction,
          network: offer.network.network,
          payer: settled.payer,
          ...(pass === undefined ? {} : { extensions: { pass } }),
        }
        emit('onSettle', {
          network: offer.network.network,
          route: route.key,
          durationMs: now() - settleStarted,
          response,
        })
        emit('onPayment', { receipt: finalReceipt, request })
        return { ok: true, headers: settleHeaders(response), receipt: finalReceipt }
      } catch (error) {
        const failure = TollgateError.is(error)
          ? error
          : new TollgateError('settlement_failed', 'The payment could not be settled.', { cause: error })
        // Only a transfer that surely did not happen frees the authorization for another try.
        if (failure.details?.settled === false) await store.release(claimKey, token).catch(() => {})
        const response: SettleResponse = {
          success: false,
          transaction: '',
          network: offer.network.network,
          payer: identity.payer,
          errorReason: failure.code,
        }
        emit('onSettle', {
          network: offer.network.network,
          route: route.key,
          durationMs: now() - settleStarted,
          response,
        })
        emit('onReject', { error: failure, route: route.key, request })
        const body = await paymentRequired(route, offers, request)
        return {
          ok: false,
          error: failure,
          response: createPaymentRequiredResponse(body, { error: failure, headers: settleHeaders(response) }),
        }
      }
    }
    return {
      outcome: 'paid',
      receipt,
      headers: new Headers(),
      deferred: true,
      settles: true,
      complete: (status) => {
        completion ??= settle(status)
        return completion
      },
    }
  }

  const check = async (request: GateRequest, context: GateContext = {}): Promise<GateDecision> => {
    const url = new URL(request.url)
    const route = matchRoute(routes, request.method, url.pathname)
    if (route === undefined) return FREE
    let offers: Offer[] | null = null
    try {
      const clientIp =
        options.rateLimit?.perIp === undefined
          ? undefined
          : typeof context.clientIp === 'function'
            ? context.clientIp()
            : context.clientIp
      if (options.rateLimit?.perIp !== undefined && clientIp !== undefined) {
        const result = await store.take(`rate:ip:${clientIp}`, options.rateLimit.perIp)
        if (!result.allowed) {
          throw new TollgateError('rate_limited', 'Too many requests from this address.', {
            retryAfter: result.retryAfterSeconds,
          })
        }
      }
      const signatureHeader = request.headers.get(headerNames.paymentSignature)
      const v1Header = signatureHeader === null ? request.headers.get(headerNames.xPayment) : null
      const passToken = request.headers.get(headerNames.pass)
      if (passToken !== null && signatureHeader === null && v1Header === null) {
        try {
          return await checkPass(route, passToken, request, url)
        } catch (error) {
          // An unusable pass is answered like an unpaid request, so the agent can pay instead.
          offers = await offersFor(route, request)
          if (offers === null) return FREE
          throw error
        }
      }
      offers = await offersFor(route, request)
      if (offers === null) return FREE
      if (signatureHeader === null && v1Header === null) {
        return {
          outcome: 'rejected',
          response: createPaymentRequiredResponse(await paymentRequired(route, offers, request)),
        }
      }
      const payload =
        signatureHeader !== null
          ? decodePaymentSignatureHeader(signatureHeader, { maxBytes: maxHeaderBytes })
          : fromV1(decodeXPaymentHeader(v1Header as string, { maxBytes: maxHeaderBytes }), offers)
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
      if (!networksById.has(offer.network.network))
        throw new TollgateError('invalid_network', 'Network not accepted.')
      return offer.scheme === 'tx'
        ? await verifyTx(route, offer, payload, request, context)
        : await verifyExact(route, offer, payload, request, context, offers)
    } catch (error) {
      const failure = TollgateError.is(error)
        ? error
        : new TollgateError('internal_error', 'The gate could not check this request.', { cause: error })
      return reject(route, offers, request, failure)
    }
  }

  const handle: Gate['handle'] = async (request, handler, context) => {
    const decision = await check(request, context)
    if (decision.outcome === 'free') return handler(request, undefined)
    if (decision.outcome === 'rejected') return decision.response
    let response: Response
    try {
      response = await handler(request, decision.receipt)
    } catch (error) {
      await decision.complete(500)
      throw error
    }
    const completion = await decision.complete(response.status)
    if (!completion.ok) {
      await response.body?.cancel().catch(() => {})
      return completion.response
    }
    const headers = new Headers(response.headers)
    for (const [name, value] of decision.headers) headers.set(name, value)
    for (const [name, value] of completion.headers) headers.set(name, value)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }

  return {
    check,
    handle,
    async revokePass(pass) {
      const ttl = Math.max(1, pass.exp - Math.floor(now() / 1000) + skewSeconds)
      await store.put(`pass:revoked:${pass.jti}`, ttl)
    },
    store,
    registry,
  }

  function challengeClaims(routeKey: string, offer: Offer) {
    return {
      route: routeKey,
      network: offer.network.network,
      asset: offer.asset.address,
      payTo: offer.payTo,
      amount: offer.amount.toString(),
    }
  }
}

function toKeyring(secret: CreateGateOptions['secret']): Keyring {
  if (typeof secret === 'string' || secret instanceof Uint8Array) return createKeyring(secret)
  if (typeof secret === 'object' && secret !== null) return secret
  throw new TollgateError('config_invalid', 'A gate needs a secret of at least 32 bytes, or a keyring.')
}

function resolvePayTo(
  payTo: CreateGateOptions['payTo'],
  network: PaymentNetwork,
  registry: OfferContext['registry'],
): string {
  const chain = registry.chain(network.network)
  const value = typeof payTo === 'string' ? payTo : (payTo[network.network] ?? payTo[chain.family])
  const valid = chain.family === 'evm' ? /^0x[0-9a-fA-F]{40}$/ : /^[1-9A-HJ-NP-Za-km-z]{32,44}$/
  if (value === undefined || !valid.test(value)) {
    throw new TollgateError(
      'config_invalid',
      `No valid payTo address for ${network.network}: got ${quote(value)}.`,
      {
        details: { network: network.network },
      },
    )
  }
  return value
}

function compileRoutes(routes: CreateGateOptions['routes'], context: OfferContext): CompiledRoute[] {
  const compiled: CompiledRoute[] = []
  for (const [key, config] of Object.entries(routes)) {
    const pattern = parseRoutePattern(key)
    if (typeof config?.price !== 'function' && (config?.price === undefined || config.price === null)) {
      throw new TollgateError('config_invalid', `Route "${key}" has no price.`)
    }
    if (
      config.pass !== undefined &&
      !(Number.isInteger(config.pass.ttlSeconds) && config.pass.ttlSeconds > 0)
    ) {
      throw new TollgateError(
        'config_invalid',
        `Route "${key}" sells a pass without a positive integer ttlSeconds.`,
      )
    }
    for (const pattern of config.pass?.scope ?? []) parseRoutePattern(pattern)
    const staticOffers =
      typeof config.price === 'function' ? undefined : buildOffers({ key, ...config }, config.price, context)
    compiled.push({ key, pattern, config, ...(staticOffers === undefined ? {} : { staticOffers }) })
  }
  return compiled.sort((left, right) => compareRouteSpecificity(left.pattern, right.pattern))
}

function matchRoute(routes: CompiledRoute[], method: string, pathname: string): CompiledRoute | undefined {
  for (const route of routes) if (route.pattern.match(method, pathname) !== undefined) return route
  return undefined
}

function boundedString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD) {
    throw new TollgateError(
      'invalid_payload',
      `The payload's ${field} must be a string of 1 to ${MAX_FIELD} characters.`,
      {
        details: { field },
      },
    )
  }
  return value
}

// Anything a verifier throws that is not a TollgateError means the chain could not be asked:
// fail closed with a retryable 503, never serve.
function asVerificationError(error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError('rpc_unavailable', 'The payment could not be verified right now.', {
    cause: error,
    retryAfter: 2,
  })
}

// v1 payloads name only scheme and network; the gate's own offer supplies the rest.
function fromV1(
  payload: { scheme: string; network: string; payload: Record<string, unknown> },
  offers: Offer[],
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
