import type { ChainRegistry } from '../chains/create-chain-registry.js'
import type { AssetInfo, Network } from '../chains/types.js'
import type { TollgateError } from '../errors/tollgate-error.js'
import type { Keyring } from '../keyring/create-keyring.js'
import type { Price } from '../price/parse-price.js'
import type { PaymentRequirements, SettleResponse } from '../protocol/types.js'
import type { Store, TokenBucket } from '../store/types.js'

/**
 * The parts of a request the gate reads. A web `Request` fits; adapters may pass a lighter object
 * so the pass path does not pay for building a full `Request`.
 */
export type GateRequest = {
  /** HTTP method, such as `"GET"`. */
  method: string
  /** Absolute URL of the request. */
  url: string
  /** Request headers (case-insensitive lookup). */
  headers: { get(name: string): string | null }
}

/** Facts about the request that only the server adapter knows. */
export type GateContext = {
  /** The client's IP address, for per-IP rate limits; a function is only called when such a limit is set. */
  clientIp?: string | (() => string | undefined)
  /** Aborts verification when the client goes away. */
  signal?: AbortSignal
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

/** A pass issued with a payment, as sent in `PAYMENT-RESPONSE.extensions.pass`. */
export type IssuedPass = {
  /** The token to send as `X-Payment-Pass`. */
  token: string
  /** Unix seconds after which the pass is refused. */
  expiresAt: number
  /** What the pass covers. */
  scope: { routes: string[]; origin?: string }
  /** Requests allowed, when limited. */
  uses?: number
}

/** The route is not priced: serve it as usual. */
export type GateFree = { outcome: 'free' }

/** The request is rejected: send `response` (a 402 with fresh requirements, or an error). */
export type GateRejected = {
  outcome: 'rejected'
  /** The response to send, built by core so every adapter sends the same bytes. */
  response: Response
  /** Why; absent for a plain first 402. */
  error?: TollgateError
}

/** The request is paid (or covered by a pass): run the handler, then call `complete`. */
export type GatePaid = {
  outcome: 'paid'
  receipt: PaymentReceipt
  /** Headers to add to the response now (`PAYMENT-RESPONSE` for `tx` and passes). */
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
   * Reports the handler's status. Below 400 an `exact` authorization is settled; at 500 or above a
   * claimed `tx` proof is released so the agent can retry it, and an `exact` one is never settled.
   * Call it exactly once.
   */
  complete(status: number): Promise<GateCompletion>
}

/** What to do with the handler's response after {@link GatePaid.complete}. */
export type GateCompletion =
  | { ok: true; headers: Headers; receipt: PaymentReceipt }
  | { ok: false; response: Response; error: TollgateError }

/** The gate's verdict on a request. */
export type GateDecision = GateFree | GateRejected | GatePaid

/** Lifecycle events, for metrics and logs. Hook errors are ignored. */
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
  /** Lifecycle hooks for metrics and logs. */
  hooks?: GateHooks
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** A gate: checks requests against prices and payments. */
export type Gate = {
  /** Decides whether a request is free, paid, or must be answered with `decision.response`. */
  check(request: GateRequest, context?: GateContext): Promise<GateDecision>
  /**
   * Runs `handler` behind the gate for fetch-style servers: checks, runs, completes, and returns the
   * response with `PAYMENT-RESPONSE`, or the 402/error response.
   */
  handle(
    request: Request,
    handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
    context?: GateContext,
  ): Promise<Response>
  /** Refuses a pass from now on (requires `passes.checkRevocation`). */
  revokePass(pass: { jti: string; exp: number }): Promise<void>
  /** The store in use. */
  readonly store: Store
  /** The chain registry in use. */
  readonly registry: ChainRegistry
}

/** The input of {@link TxVerifier.verifyTransfer}. */
export type VerifyTransferInput = {
  /** Canonical transaction id from {@link TxVerifier.parseTransaction}. */
  transaction: string
  /** The payer's signature over `message`, as sent in the payload. */
  signature: string
  /** The exact proof message (see `createProofMessage`). */
  message: string
  /** The asset that must have been transferred. */
  asset: AssetInfo
  /** The recipient that must have been credited. */
  payTo: string
  /** The least amount, in atomic units, that must have been credited. */
  amount: bigint
  /** Blocks the transfer needs, counting its own block. */
  confirmations: number
  /** Earliest acceptable block time, unix seconds. */
  notBefore: number
  /** Latest acceptable block time, unix seconds. */
  notAfter: number
  /** Untrusted lookup hints from the payload, such as `blockNumber`; verified before use. */
  hints: Readonly<Record<string, unknown>>
  /** Aborts RPC calls. */
  signal?: AbortSignal
}

/** A verified transfer. */
export type VerifiedTransfer = {
  /** The address that paid and signed the proof. */
  payer: string
  /** Atomic units credited to `payTo` by the payer in this transaction. */
  amount: bigint
  /** Block time, unix seconds. */
  blockTime: number
}

/**
 * Verifies `tx` proofs on one network. Chain packages implement it; the gate does the rest
 * (challenge, claim, release, receipt).
 */
export type TxVerifier = {
  readonly specificationVersion: 'v1'
  /** The canonical form of a transaction id from a payload, or undefined when malformed. Offline. */
  parseTransaction(value: unknown): string | undefined
  /** Checks the transfer on chain. Throws TollgateError `verify_*` codes, `rpc_unavailable` when the chain cannot answer. */
  verifyTransfer(input: VerifyTransferInput): Promise<VerifiedTransfer>
}

/** The input of the {@link ExactScheme} methods. */
export type ExactInput = {
  /** The scheme payload (`{ signature, authorization }`). */
  payload: Readonly<Record<string, unknown>>
  /** The requirements this gate offered and the payer accepted. */
  requirements: PaymentRequirements
  /** The asset being paid. */
  asset: AssetInfo
  /** Aborts RPC calls. */
  signal?: AbortSignal
}

/** Verifies and settles x402 `exact` payments on one network, itself or through a facilitator. */
export type ExactScheme = {
  readonly specificationVersion: 'v1'
  /** The `extra` to offer for an asset, or undefined when the asset cannot be paid this way. */
  extra(asset: AssetInfo): Record<string, unknown> | undefined
  /** Offline: the payer and a key unique to this authorization (for the replay claim). Throws `invalid_payload`. */
  identify(input: ExactInput): { payer: string; key: string; validBefore: number }
  /** Checks signature, amounts, times, nonce, balance; throws x402 reason codes. */
  verify(input: ExactInput): Promise<{ payer: string }>
  /**
   * Submits the transfer and waits for it. Resolves once it is confirmed (`logIndex`: the
   * `Transfer` log's index in its block, when known). Throws `settlement_pending` (retryable, with
   * `retryAfter` and `details.transaction`) when it was broadcast but is not confirmed in time: it
   * may still land, so keep the claim and ask {@link ExactScheme.settlementStatus} later. Throws
   * with `details.settled === false` only when the transfer provably did not and cannot happen
   * (then the authorization may be tried again); any other failure leaves the outcome open.
   */
  settle(input: ExactInput): Promise<{ transaction: string; payer: string; logIndex?: number }>
  /**
   * Where a settlement that answered `settlement_pending` stands now, read from the chain:
   * `confirmed` (serve the kept response), `pending` (answer again with `Retry-After`) or `failed`
   * (provably cannot land: release the claim). Optional; schemes without it leave pending
   * settlements to expire with the authorization.
   */
  settlementStatus?(query: { input: ExactInput; transaction: string }): Promise<ExactSettlementStatus>
}

/** Where an `exact` settlement stands, from {@link ExactScheme.settlementStatus}. */
export type ExactSettlementStatus =
  | {
      status: 'confirmed'
      /** The transaction that carries the transfer (a replacement may differ from the one asked about). */
      transaction: string
      payer: string
      /** Index of the `Transfer` log in its block, when known. */
      logIndex?: number
    }
  | {
      status: 'pending'
      transaction: string
      /** Seconds to wait before asking again. */
      retryAfter: number
    }
  | {
      status: 'failed'
      transaction: string
      /**
       * Why it provably cannot land: `authorization_canceled` (the payer canceled it), `expired`
       * (unused past `validBefore`), `nonce_taken` (another transaction used the settler nonce),
       * `reverted` (it was mined and reverted; the authorization is unused).
       */
      reason: 'authorization_canceled' | 'expired' | 'nonce_taken' | 'reverted'
    }

/** A network payments are accepted on, with the schemes it can verify. */
export type PaymentNetwork = {
  readonly specificationVersion: 'v1'
  /** CAIP-2 id. */
  readonly network: Network
  /** Assets offered on this network (address, symbol or `"native"`); default the USD-pegged ones for `$` prices. */
  readonly assets?: readonly string[]
  /** Confirmations `tx` proofs need; default the registry's value. */
  readonly confirmations?: number
  /** Verifier for the `tx` scheme. */
  readonly tx?: TxVerifier
  /** Verifier and settler for the x402 `exact` scheme. */
  readonly exact?: ExactScheme
}
