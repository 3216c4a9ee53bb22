import type { ChainRegistry } from '../chains/create-chain-registry.js'
import type { AssetInfo } from '../chains/types.js'
import type { TollgateError } from '../errors/tollgate-error.js'
import type { Ledger } from '../ledger/types.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import type { CreateSpendingPolicyOptions } from '../policy/create-spending-policy.js'
import type { Money, SpendingPolicy, SpendingReport, SpendingReportReserved } from '../policy/types.js'
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  SettleResponse,
} from '../protocol/types.js'
import type { ExtraCost, Wallet } from '../scheme/wallet.js'
import type { ClientPreferences } from './choose-requirements.js'

/**
 * Something the client did, for logs, demos and audits. Amounts are atomic units. The lifecycle
 * events (`reserved`, `signed`, `broadcast`, `settled`, `released`) carry the payment id and
 * account for every unit of budget: each `reserved` payment ends in exactly one `settled` or
 * `released`, or stays reserved while its money may still move.
 */
export type ClientEvent =
  | PaymentLifecycleEvent
  | { type: 'payment_required'; url: string; accepts: PaymentRequirements[]; error?: string }
  | {
      type: 'quote'
      url: string
      requirements: PaymentRequirements
      asset: AssetInfo
      amount: bigint
      display: string
    }
  | { type: 'transfer_sent'; url: string; network: string; transaction: string; display: string }
  | { type: 'transfer_reused'; url: string; network: string; transaction: string }
  | { type: 'transfer_confirmed'; url: string; network: string; transaction: string }
  | { type: 'authorization_signed'; url: string; network: string; display: string }
  | { type: 'payment_accepted'; url: string; network: string; transaction?: string; pass?: IssuedPass }
  | { type: 'payment_rejected'; url: string; code: string }
  | { type: 'pass_used'; url: string; expiresAt: number }
  | { type: 'pass_refused'; url: string; code: string }

/** The money-moving steps of one payment, in order; see {@link ClientEvent}. */
export type PaymentLifecycleEvent = {
  /** Payment id, as in the ledger. */
  paymentId: string
  url: string
  scheme: string
  network: string
  /** Asset address, mint or `"native"`. */
  asset: string
  /** Atomic units. */
  amount: bigint
} & (
  | { /** Budget was reserved; nothing is signed yet. */ type: 'reserved' }
  | {
      /** A transfer or authorization was signed (and recorded): from here it may move money. */
      type: 'signed'
      /** The transfer's id (`tx`); absent for an authorization. */
      transaction?: string
      /** Unix seconds after which an `exact` authorization can no longer settle. */
      validBefore?: number
    }
  | { /** The signed transfer was handed to the network. */ type: 'broadcast'; transaction: string }
  | {
      /** The money moved: the reservation is committed and counts as spent. */
      type: 'settled'
      transaction?: string
      /** Why it counts as spent: `confirmed`, `accepted`, `already_used` or `used_on_chain`. */
      reason: string
    }
  | {
      /** The money provably did not and cannot move: the reservation is freed. */
      type: 'released'
      /** Why: `not_signed`, `not_sent`, `reverted` or `expired_unused`. */
      reason: string
    }
)

/** Options of {@link createClient}. */
export type CreateClientOptions = {
  /** Wallets to pay from; the first that supports an option pays it. */
  wallets: readonly Wallet[]
  /**
   * The spending policy (or its options). Default: at most `$0.10` per call and `$1` in total, in
   * USD-pegged assets only; pass a policy to pay more or in other assets.
   */
  policy?: SpendingPolicy | CreateSpendingPolicyOptions
  /** Where every quote, payment and proof is recorded. Default in memory; use `createFileLedger` to survive restarts. */
  ledger?: Ledger
  /** The `fetch` to wrap. Default the global one. */
  fetch?: typeof fetch
  /** Assets and decimals the client trusts (never the server's). Default the built-in registry. */
  registry?: ChainRegistry
  /** Preferences among payable options. */
  preferences?: ClientPreferences
  /**
   * Decides on costs beyond the price (such as rent for the recipient's Solana token account).
   * Default: decline, so the payment is not made.
   */
  approveExtraCost?: (cost: ExtraCost) => boolean | Promise<boolean>
  /** Retries of 429/503 and of lost responses. */
  retry?: {
    /** Most retries per request. Default 3. */
    maxRetries?: number
    /** First backoff in milliseconds. Default 250. */
    baseDelayMs?: number
    /** Longest wait in milliseconds; a longer `Retry-After` is returned to the caller instead. Default 10000. */
    maxDelayMs?: number
  }
  /** Most times one payment is proven again within one request (new challenge, unconfirmed). Default 3. */
  maxProofAttempts?: number
  /**
   * Longest an `exact` authorization stays valid, in seconds, whatever the server asks: its budget
   * stays reserved until then, unless it settles. Default 120.
   */
  maxAuthorizationSeconds?: number
  /** Milliseconds to wait for a transfer's confirmations. Default 120000. */
  confirmationTimeoutMs?: number
  /** Receives every {@link ClientEvent}. Errors thrown here are ignored. */
  onEvent?: (event: ClientEvent) => void
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** Per-request options of {@link Client.fetch}. */
export type ClientFetchOptions = {
  /**
   * The owner already approved paying up to this much for this request (for example through an
   * agent framework's approval step), so the policy's `approve` callback is skipped within it.
   */
  approvedUpTo?: Money
  /**
   * The most this request may cost, in the syntax of a per-call limit (`"$0.60"`, `"0.5 USDC"`).
   * Offers priced above it are never chosen; when all are, the request fails with
   * `price_above_limit` before anything is reserved, approved or signed.
   */
  maxAmount?: Money
}

/** Options of {@link Client.pay}. */
export type PayOptions = {
  /** The resource being paid for, checked against `allowedDomains` (such as `mcp://tool/search` or an HTTP URL). */
  url: string
  /**
   * What this payment is for beyond `url`, such as a tool call's name and arguments: a payment
   * whose answer was lost is reused only by a later `pay` with the same `url` and `request`, so a
   * retried call resends it (and gets the kept answer) instead of paying again. Default `""`.
   */
  request?: string
  /** See {@link ClientFetchOptions.approvedUpTo}. */
  approvedUpTo?: Money
  /** See {@link ClientFetchOptions.maxAmount}. */
  maxAmount?: Money
  /** Aborts the payment. */
  signal?: AbortSignal
}

/** A payment made by {@link Client.pay}, waiting for the server's answer. */
export type PendingPayment = {
  /** The x402 v2 payload to send. */
  payload: PaymentPayload
  /** The server accepted it (with its settlement response, if any). */
  accepted(settle?: SettleResponse): Promise<PaymentInfo>
  /**
   * The server refused it with `code` in a new `PaymentRequired` that a `tx` payment recovers from
   * (the transfer not visible to the server yet, a stale challenge): proves the same transfer again,
   * after a backoff, and resolves the payload to send instead (`payload` becomes it too). Resolves
   * undefined when the refusal is final: report it with `rejected`. Nothing is paid again.
   * @throws {TollgateError} `retry_limit_exceeded` after the client's `maxProofAttempts` proofs,
   * `pay_to_changed`, `price_changed` (the payment stays reserved until the chain tells)
   */
  retry(paymentRequired: PaymentRequired, code: string): Promise<PaymentPayload | undefined>
  /** The server refused it with `code`; returns the error to surface. */
  rejected(code: string): Promise<TollgateError>
  /**
   * The answer was lost, so whether the server accepted it is unknown: the payment stays reserved
   * and reusable, and a later attempt proves or resends it instead of paying again.
   */
  lost(): void
}

/** What a response cost, as {@link Client.paymentFor} reports it. */
export type PaymentInfo = {
  /** Paid now, or covered by a pass bought earlier. */
  method: 'payment' | 'pass'
  scheme?: string
  network?: string
  /** Asset address, mint or `"native"`. */
  asset?: string
  /** Asset symbol from the client's registry. */
  symbol?: string
  /** Atomic units, as a decimal string. */
  amount?: string
  /** The amount for people: `"0.001 USDC"`. */
  display?: string
  /** Transaction hash or signature. */
  transaction?: string
  /** A pass this payment bought, or the pass that covered the request. */
  pass?: IssuedPass
  /** Whether an earlier transfer was proven again instead of paying anew. */
  reused?: boolean
}

/** A 402-aware fetch with a wallet and a spending policy. */
export type Client = {
  /** `fetch` that pays 402s within the policy. Rejects with a TollgateError when it will not or cannot pay. */
  fetch(input: RequestInfo | URL, init?: RequestInit, options?: ClientFetchOptions): Promise<Response>
  /** What a response returned by {@link Client.fetch} cost; undefined when it was free. */
  paymentFor(response: Response): PaymentInfo | undefined
  /**
   * Pays requirements that arrived outside HTTP (such as an MCP tool's `PaymentRequired`), under the
   * same policy and ledger. Send `payload` to the server, then report the outcome exactly once.
   */
  pay(paymentRequired: PaymentRequired, options: PayOptions): Promise<PendingPayment>
  /** What has been spent and what remains, per asset and in USD, read from the ledger. */
  spent(): Promise<SpendingReport>
  /** Budget held by payments that may still move money (signed, not yet settled or released). */
  reserved(): Promise<SpendingReportReserved>
  /**
   * Settles or releases `exact` authorizations whose outcome was unknown (refused, lost or
   * unanswered) once their `validBefore` has passed on chain: used on chain counts as spent,
   * unused is released; a reservation never signed (a crash before signing) is released too.
   * Runs by itself at start and when a held authorization can expire; call it to free budget sooner.
   */
  reconcile(): Promise<void>
  /** Passes bought and still cached. */
  passes(): IssuedPass[]
  /** The ledger in use. */
  readonly ledger: Ledger
  /** The policy in use. */
  readonly policy: SpendingPolicy
}
