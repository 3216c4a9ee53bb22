import type { ChainRegistry } from '../chains/create-chain-registry.js'
import type { Network } from '../chains/types.js'
import type { DiscoveryOptions, GateDiscovery, RouteDiscovery } from '../discovery/types.js'
import type { TollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import type { Price } from '../price/parse-price.js'
import type { PaymentRequired, SettleResponse } from '../protocol/types.js'
import type { PaymentNetwork } from '../scheme/types.js'
import type { Store, TokenBucket } from '../store/types.js'
import type { KeptResponse } from './keep-response.js'

// The plug-in contracts live in `scheme/`; they are re-exported here under their old home.
export type {
  ExactInput,
  ExactScheme,
  PaymentNetwork,
  TxVerifier,
  VerifiedTransfer,
  VerifyTransferInput,
} from '../scheme/types.js'

/**
 * The parts of a request the gate reads. A web `Request` fits; adapters may pass a lighter object
 * so the pass path does not pay for building a full `Request`.
 */
export type GateRequest = {
  /** HTTP method, such as `"GET"`. */
  method: string
  /**
   * Absolute URL of the request. Only its origin is read, and only when the gate has no
   * `publicUrl` (development); its path is read when `path` is absent.
   */
  url: string
  /**
   * The request target exactly as the server routes it, such as Express's `originalUrl`
   * (`/api/search?q=1`, or absolute-form `http://host/api/search`). Default: the path of `url`.
   * Adapters should pass it, so the gate prices the path the framework routes.
   */
  path?: string
  /** Request headers (case-insensitive lookup). */
  headers: { get(name: string): string | null }
}

/** Facts about the request that only the server adapter knows. */
export type GateContext = {
  /** The client's IP address, for per-IP rate limits; a function is only called when such a limit is set. */
  clientIp?: string | (() => string | undefined)
  /**
   * Aborts verification when the client goes away. For {@link Gate.handle} and {@link Gate.serve},
   * default the request's `signal`, read only when the request carries a payment (some servers
   * build it on first access).
   */
  signal?: AbortSignal
  /**
   * For {@link Gate.handle} and {@link Gate.serve}: the request target exactly as the server routes
   * it (see `GateRequest.path`), such as Hono's `c.req.path` with the query. A web `Request` carries
   * only a URL, which servers often build from `Host`; this keeps `Host` out of routing. Default:
   * the path of `request.url`. `check` reads `GateRequest.path` instead.
   */
  path?: string
  /**
   * For {@link Gate.handle} and {@link Gate.serve}: a header lookup cheaper than `request.headers`,
   * when the server has one (such as Node's `IncomingMessage.headers` under `@hono/node-server`,
   * where `headers` builds a `Headers` on first access). Names are looked up case-insensitively.
   * Default: `request.headers`.
   */
  headers?: GateRequest['headers']
}

/** What a price function may return: a price, or `null` to serve this request for free. */
export type PriceResult = Price | null

/** A route the gate charges for. */
export type RouteConfig = {
  /**
   * What one request costs: `"$0.001"`, `"0.3 USDC"`, `{ amount, asset, network? }`, or a function
   * of the request for dynamic pricing (return `null` to serve for free).
   */
  price: Price | ((request: GateRequest) => PriceResult | Promise<PriceResult>)
  /** What the payer gets; shown in the 402 and to agents. */
  description?: string
  /** Media type of the paid response. */
  mimeType?: string
  /** Restrict this route to some networks (CAIP-2 ids); default: every network of the gate. */
  networks?: readonly string[]
  /** Seconds a payer has to pay after the 402; also the challenge lifetime. Default 300. */
  maxTimeoutSeconds?: number
  /** Confirmations a `tx` proof needs on this route; default: the network's setting. */
  confirmations?: number
  /**
   * Sells a pass: a time-limited token the payer sends as `X-Payment-Pass` instead of paying again.
   * Without `price`, every payment for this route yields the pass; with `price`, the pass is
   * offered next to the per-request price as extra options.
   */
  pass?: PassOffer
  /**
   * What agents and directories may read about this route beyond its price (summary, input and
   * output schemas), for the OpenAPI document and the x402 `bazaar` extension of its 402; `false`
   * leaves the route out of every discovery document and its 402 without `bazaar`.
   */
  discovery?: RouteDiscovery | false
}

/** A pass a route sells. */
export type PassOffer = {
  /** Price of the pass; default: the route's price. */
  price?: Price
  /** Lifetime of the pass in seconds. */
  ttlSeconds: number
  /** Route patterns the pass covers; default: this route only. */
  scope?: readonly string[]
  /** How many requests the pass allows; default unlimited within its lifetime. */
  uses?: number
}

/** Payment details a gate hands to the handler. */
export type PaymentReceipt = {
  /** How access was granted. */
  method: 'payment' | 'pass'
  /** The route pattern that matched, such as `"GET /api/search"`. */
  route: string
  /** The payer: an address, or the pass subject. */
  payer: string
  /** Scheme used (`"tx"`, `"exact"`); absent for passes. */
  scheme?: string
  /** CAIP-2 network paid on; absent for passes. */
  network?: Network
  /** Asset paid (address, mint or `"native"`); absent for passes. */
  asset?: string
  /** Atomic units paid (at least the price), as a decimal string; absent for passes. */
  amount?: string
  /** Transaction hash or signature; for `exact`, known once settled. */
  transaction?: string
  /** A pass this payment bought. */
  pass?: IssuedPass
  /** The pass id (`jti`) used for this request. */
  passId?: string
}

/** The route is not priced: serve it as usual. */
export type GateFree = { outcome: 'free' }

/**
 * The gate answers the request itself: send `response` (a 402 with fresh requirements, an error, or
 * a `200` discovery document).
 */
export type GateRejected = {
  outcome: 'rejected'
  /** The response to send, built by core so every adapter sends the same bytes. */
  response: Response
  /**
   * Set when `response` is a discovery document the gate serves (`200`, JSON): `"openapi"` or
   * `"well-known"`. Nothing was priced or refused.
   */
  discovery?: 'openapi' | 'well-known'
  /** Why; absent for a plain first 402. */
  error?: TollgateError
  /** The requirements `response` carries when it is a 402, as an object (no need to decode the header). */
  paymentRequired?: PaymentRequired
  /** The `PAYMENT-RESPONSE` `response` carries, as an object, when it carries one. */
  settlement?: SettleResponse
  /**
   * Set when `response` replays the kept answer to an earlier request paid by the same payment
   * (`Payment-Replay: true`; `settlement.extensions.replay` is `true`): the answer as it was kept,
   * for adapters that speak another protocol. Nothing ran and nothing was charged.
   */
  replay?: Omit<KeptResponse, 'target'>
}

/** The request is paid (or covered by a pass): run the handler, then call `complete`. */
export type GatePaid = {
  outcome: 'paid'
  receipt: PaymentReceipt
  /**
   * The headers of a successful answer (`PAYMENT-RESPONSE` for `tx`); prefer
   * {@link GatePaid.headersFor}, which knows the status.
   */
  headers: Headers
  /**
   * Whether the response must be held back until {@link GatePaid.complete} resolves: true for
   * `exact`, which settles only after the handler succeeded (x402's order).
   */
  deferred: boolean
  /**
   * Whether {@link GatePaid.complete} can change anything (release a claim, settle). False for
   * passes, so adapters may skip watching the response.
   */
  settles: boolean
  /**
   * The settlement `headers` carry as `PAYMENT-RESPONSE`, as an object; absent for passes and for
   * `exact`, whose settlement comes with {@link GatePaid.complete}.
   */
  settlement?: SettleResponse
  /**
   * The headers to send with a response of `status`, synchronously, at the moment its head goes
   * out: the successful `PAYMENT-RESPONSE` below 500; from 500 on a failed one (`errorReason`
   * `service_failed`, `extensions.retryable`) and no pass, since the payment is not consumed.
   * Empty for deferred (`exact`) decisions, whose headers come from {@link GatePaid.complete}.
   */
  headersFor(status: number): Headers
  /**
   * Reports the status the handler answered with, when its head goes out (or 500 when it failed
   * before sending anything); never the fate of the connection. Below 400 an `exact`
   * authorization is settled; at 500 or above a claimed `tx` proof is released so the payer can
   * send it again, and an `exact` one is never settled. Later calls return the first result.
   * `kept`: the handler's whole response (see `keepResponse`), given by adapters that buffer a
   * deferred (`exact`) response; the gate keeps it so a retry of the same payment gets it again
   * (`Payment-Replay: true`) without running the handler. Default: nothing kept.
   */
  complete(status: number, kept?: KeptResponse): Promise<GateCompletion>
  /**
   * Keeps the handler's whole response (see `keepResponse`) for replay, after a successful
   * {@link GatePaid.complete} of a non-deferred (`tx`) payment: the same proof sent again gets it
   * back (`Payment-Replay: true`) without running the handler. Resolves whether it was kept (a
   * body over `replay.maxBodyBytes` is not: the payment stays consumed). Absent where nothing is kept.
   */
  keep?(kept: KeptResponse): Promise<boolean>
  /**
   * The requester left before the handler started: frees the claim without running anything.
   * Does nothing once {@link GatePaid.complete} was called.
   */
  cancel(): Promise<void>
}

/** What to do with the handler's response after {@link GatePaid.complete}. */
export type GateCompletion =
  | {
      ok: true
      /** Headers to add to the handler's response (`PAYMENT-RESPONSE`). */
      headers: Headers
      receipt: PaymentReceipt
      /** The settlement the headers carry, as an object. */
      settlement?: SettleResponse
    }
  | {
      ok: false
      /** The response to send instead of the handler's. */
      response: Response
      error: TollgateError
      /** The requirements `response` carries, as an object. */
      paymentRequired?: PaymentRequired
      /** The failed settlement `response` carries, as an object. */
      settlement?: SettleResponse
    }

/** The gate's verdict on a request. */
export type GateDecision = GateFree | GateRejected | GatePaid

/**
 * Lifecycle events, for metrics and logs. A hook that throws or rejects is reported to the gate's
 * `logger` and never changes a decision.
 */
export type GateHooks = {
  /** A request was admitted by payment or pass. */
  onPayment?(event: { receipt: PaymentReceipt; request: GateRequest }): void
  /** A payment or pass was refused, or verification could not complete. */
  onReject?(event: { error: TollgateError; route: string; request: GateRequest }): void
  /** A payment verification finished (successfully or not), with its duration. */
  onVerify?(event: {
    scheme: string
    network: string
    route: string
    durationMs: number
    error?: TollgateError
  }): void
  /** An `exact` settlement finished. */
  onSettle?(event: { network: string; route: string; durationMs: number; response: SettleResponse }): void
}

/** Options of `createGate`. */
export type CreateGateOptions = {
  /** Priced routes, keyed by pattern: `"GET /api/search"`, `"POST /api/items/:id"`, `"/api/**"`. */
  routes: Record<string, RouteConfig>
  /**
   * Who gets paid: one address, or one per network (CAIP-2 id) or chain family (`"evm"`, `"solana"`).
   */
  payTo: string | Readonly<Record<string, string>>
  /** The networks payments are accepted on, each with its verifiers (`evmNetwork()`, `solanaNetwork()`). */
  networks: readonly PaymentNetwork[]
  /**
   * Signs challenges and passes: a secret of at least 32 bytes, or a keyring for rotation.
   * Every instance of a gate must share it.
   */
  secret: string | Uint8Array | Keyring
  /** Replay protection and counters; default an in-memory store (development only). */
  store?: Store
  /** Chains and assets; default the built-in registry. */
  registry?: ChainRegistry
  /** How old a `tx` payment may be, in seconds. Spent entries live at least this long. Default 3600. */
  acceptanceWindowSeconds?: number
  /** Tolerated clock difference with payers and chains, in seconds. Default 30. */
  clockSkewSeconds?: number
  /**
   * Seconds a payment's in-flight claim outlives a gate that died while verifying it or running
   * its handler: the gate claims on this lease and renews it while it works (needs a store with
   * `renew`), so a retry after a crash proceeds within one lease instead of getting `409
   * payment_in_progress` for the acceptance window. Committed claims live the full window. Default 10.
   */
  claimLeaseSeconds?: number
  /** Largest accepted payment or pass header, in bytes. Default 8192. */
  maxHeaderBytes?: number
  /** Pass checks. */
  passes?: {
    /** Look up revocations in the store (one read per pass request). Default false: a pass check is one HMAC. */
    checkRevocation?: boolean
  }
  /** Rate limits, enforced through the store. */
  rateLimit?: {
    /** Per client IP (needs `GateContext.clientIp`), for every request to a priced route. */
    perIp?: TokenBucket
    /** Per payer, for every admitted payment or pass use. */
    perPayer?: TokenBucket
  }
  /**
   * The payment protocols the gate speaks: x402 (`PAYMENT-REQUIRED` / `PAYMENT-SIGNATURE`) and MPP
   * (`WWW-Authenticate: Payment` / `Authorization: Payment`, EVM `charge` on EIP-3009 assets, for
   * networks that bind challenges: `evmNetwork` with `exact`). Both sell through the same `exact`
   * path, so one authorization is one sale whichever protocol carried it. Default both.
   */
  protocols?: readonly ('x402' | 'mpp')[]
  /** Response replay for retries of the same payment. */
  replay?: {
    /**
     * Largest body, in bytes, kept with a paid response so a retry of the same payment gets it
     * again; larger or streamed bodies are not kept (the payment is consumed all the same), and 0
     * keeps none. Bounded by the store's 64 KiB values once base64-encoded. Default 32768.
     */
    maxBodyBytes?: number
  }
  /**
   * x402's `payment-identifier` extension, always declared in 402s: a payment sent with an
   * identifier binds it to that exact payload and request; the same payload sent again is answered
   * like any retry of it (the kept response, `Payment-Replay: true`), and another payload with the
   * same identifier gets `409 payment_identifier_conflict`.
   */
  paymentIdentifier?: {
    /** Refuse payments without an identifier (`400 payment_identifier_required`). Default false. */
    required?: boolean
  }
  /** Lifecycle hooks for metrics and logs. */
  hooks?: GateHooks
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * The origin clients reach this gate at, such as `"https://api.example.com"`: the 402's
   * `resource.url` and the origin of the passes it sells. Default: the origin of each request's
   * URL, which an HTTP adapter builds from the `Host` header — for development only, since a client
   * chooses its `Host`.
   */
  publicUrl?: string
  /**
   * Discovery documents, served by `check` and `handle` on `GET` (and `HEAD`): the OpenAPI 3.1
   * document of the routes (`/openapi.json`, each priced operation with MPP discovery's
   * `x-payment-info`) and the x402 discovery document (`/.well-known/x402`); the 402s also carry
   * x402's `bazaar` extension. A priced route declared at one of these paths wins. `false` turns
   * all of it off. Default: on, with the default paths.
   */
  discovery?: DiscoveryOptions | false
  /**
   * Where the gate reports what it cannot put in a decision: a hook that threw, a store that is not
   * durable (once, at creation). Default `console`.
   */
  logger?: GateLogger
}

/** Where a gate reports problems that do not change a decision. */
export type GateLogger = {
  /** Called with a message and, when there is one, the error. */
  warn(message: string, error?: unknown): void
}

/** A gate: checks requests against prices and payments. */
export type Gate = {
  /** Decides whether a request is free, paid, or must be answered with `decision.response`. */
  check(request: GateRequest, context?: GateContext): Promise<GateDecision>
  /**
   * Runs `handler` behind the gate for fetch-style servers: checks, runs, completes, and returns the
   * response with `PAYMENT-RESPONSE`, or the 402/error response. `PAYMENT-RESPONSE` is set on the
   * handler's own response when its headers can change (no copy), so return a new `Response` for
   * each request, as frameworks do.
   */
  handle(
    request: Request,
    handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
    context?: GateContext,
  ): Promise<Response>
  /**
   * The same as {@link Gate.handle}, but answers without a promise when nothing needs waiting for,
   * for servers with a synchronous fast path (such as `@hono/node-server` for a route with one
   * handler): a discovery document, a free route whose handler answered at once, or a ride on a
   * pass the gate verified before (with no store to ask) whose handler answered at once.
   * Everything else is a promise, as from `handle`. Never throws: a handler that throws is treated
   * as one that rejects (on a priced route, not charged and answered `500 service_failed`; on a
   * free route, the returned promise rejects).
   *
   * @example
   * const answer = gate.serve(request, () => Response.json({ results: [] }))
   * if (answer instanceof Response) send(answer) // a pass ride: nothing was awaited
   * else answer.then(send)
   */
  serve(
    request: Request,
    handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
    context?: GateContext,
  ): Response | Promise<Response>
  /**
   * The discovery documents of this gate's routes, as objects (the same the gate serves); with
   * `discovery: false` they are still built, just not served.
   */
  readonly discovery: GateDiscovery
  /** Refuses a pass from now on (requires `passes.checkRevocation`). */
  revokePass(pass: { jti: string; exp: number }): Promise<void>
  /** The store in use. */
  readonly store: Store
  /** The chain registry in use. */
  readonly registry: ChainRegistry
}
