import type { AssetInfo } from '../chains/types.js'
import type { TollgateError } from '../errors/tollgate-error.js'
import type { Ledger, LedgerHold } from '../ledger/types.js'
import type { AssetAmountPrice } from '../price/parse-price.js'
import type { PaymentRequirements } from '../protocol/types.js'

/**
 * An amount of money in the syntax of prices:
 * - `"$5"`, `"5"` or `"5 USD"`: US dollars, counted across every USD-pegged asset of the
 *   policy's chain registry, each converted with its own decimals;
 * - `"10 USDC"`: whole units of the asset with that symbol, on any network;
 * - `{ amount: "5000000", asset, network? }`: atomic units of one asset (address, mint, symbol or
 *   `"native"`). Without `network` it matches that asset on every network, which must then all
 *   have the same decimals.
 */
export type Money = string | AssetAmountPrice

/** How far back committed spend counts against a budget. */
export type PolicyWindow =
  /** Everything ever committed counts. */
  | 'lifetime'
  /** Only spend committed within the last `seconds` counts: a rolling budget. */
  | {
      /** Length of the rolling window in seconds, such as `86_400` for a rolling day. */
      seconds: number
    }

/** A cap on how many payments may be made in a sliding window. */
export type PolicyRateLimit = {
  /** Payments allowed per window, counting reserved ones. */
  payments: number
  /** Length of the sliding window in seconds. */
  perSeconds: number
}

/** A payment the client is about to make, as the policy sees it. */
export type PolicyQuote = {
  /** The URL actually paid: the final URL after redirects. */
  url: string
  /** The requirements the client chose to pay. */
  requirements: PaymentRequirements
  /** The asset of `requirements`, from the client's own chain registry. */
  asset: AssetInfo
  /** Atomic units of `asset`; must equal `requirements.amount`. */
  amount: bigint
}

/** A payment described for people and callbacks: what the approval callback and hooks receive. */
export type PolicyPayment = {
  /** The URL being paid for. */
  url: string
  /** CAIP-2 network. */
  network: string
  /** The asset, from the policy's chain registry when it knows it. */
  asset: AssetInfo
  /** Atomic units of `asset`. */
  amount: bigint
  /** `amount` in whole units of `asset`, such as `"0.05"`. */
  amountFormatted: string
  /** The value in US dollars (`"0.05"`), present only for assets the registry marks USD-pegged. */
  usd?: string
  /** Payment scheme: `"exact"`, `"tx"`, or `"mpp"` (an MPP `evm`/`charge` challenge). */
  scheme: string
  /** The recipient. */
  payTo: string
}

/** Budget held for one payment between {@link SpendingPolicy.reserve} and commit or release. */
export type Reservation = Readonly<
  PolicyPayment & {
    /** The ledger's spend id: the payment id given to `reserve`, or a random one. */
    id: string
    /** When the budget was reserved, in unix milliseconds. */
    reservedAt: number
  }
>

/** What {@link SpendingPolicy.commit} and {@link SpendingPolicy.release} take: a reservation, or its id after a restart. */
export type ReservationReference = Pick<Reservation, 'id'>

/** What `onPayment` receives when a reservation is committed. */
export type PolicyPaymentEvent = PolicyPayment & {
  /** Unix milliseconds of the commit. */
  at: number
}

/** What `onDecline` receives when the policy declines a payment. */
export type PolicyDeclineEvent = PolicyPayment & {
  /** Unix milliseconds of the decline. */
  at: number
  /** The `policy_*` error the payment was declined with. */
  error: TollgateError
}

/** What {@link SpendingPolicy.check} resolves a payment it would allow to. */
export type PolicyCheckResult = {
  /** Whether `reserve` will ask the approval callback before allowing it. */
  approvalRequired: boolean
}

/** Spend of one asset in a {@link SpendingReport}. */
export type SpendingReportAsset = {
  /** CAIP-2 network. */
  network: string
  /** Contract address, mint or `"native"`. */
  asset: string
  /** Ticker, such as `"USDC"`. */
  symbol: string
  /** Committed spend in whole units, such as `"0.25"`. */
  spent: string
  /** Committed spend in atomic units. */
  spentAtomic: bigint
  /** What can still be reserved in this asset under every budget line, in whole units; absent without a budget. */
  remaining?: string
  /** {@link SpendingReportAsset.remaining} in atomic units. */
  remainingAtomic?: bigint
}

/** Budget held by reservations that are neither committed nor released. */
export type SpendingReportReserved = {
  /** Open reservations. */
  payments: number
  /** Their value in US dollars, when any is in a USD-pegged asset. */
  usd?: string
  /** Reserved amounts per asset. */
  assets: {
    network: string
    asset: string
    symbol: string
    /** Whole units, such as `"0.01"`. */
    reserved: string
    /** Atomic units. */
    reservedAtomic: bigint
  }[]
}

/** What a policy has spent, within its window. */
export type SpendingReport = {
  /** Committed payments that still count (within the window). */
  payments: number
  /** Spend in USD-pegged assets, in dollars; `limit` and `remaining` come from the tightest dollar budget. */
  usd?: {
    spent: string
    remaining?: string
    limit?: string
  }
  /** Spend per asset, including assets named by an atomic budget. */
  assets: SpendingReportAsset[]
  /** Budget reserved by payments in flight; `remaining` already excludes it. */
  reserved: SpendingReportReserved
}

/**
 * A spending policy: checks every payment before anything is signed, and keeps its reserve, commit
 * and release accounting in a {@link Ledger}, so concurrent payments from every client, process or
 * machine sharing that ledger never together exceed a budget.
 */
export type SpendingPolicy = {
  /**
   * Checks a payment and reserves its budget in the ledger (one atomic step); resolves once it is
   * allowed (after approval when required). Commit the reservation after paying, or release it
   * only when the money provably did not and cannot move.
   */
  reserve(quote: PolicyQuote, options?: ReserveOptions): Promise<Reservation>
  /** Marks a reservation as spent; fires `onPayment` once, whoever commits. Idempotent. */
  commit(reservation: ReservationReference): Promise<void>
  /** Frees a reservation whose money provably did not move. Idempotent; a no-op after commit. */
  release(reservation: ReservationReference): Promise<void>
  /**
   * Runs every check of `reserve` without reserving, asking for approval or firing hooks, to choose
   * among payment options; rejects with the error `reserve` would (budget read without a lock).
   */
  check(quote: PolicyQuote, options?: ReserveOptions): Promise<PolicyCheckResult>
  /** What has been spent and reserved so far, read from the ledger. */
  spent(): Promise<SpendingReport>
  /**
   * Whether a payment of `money` would need approval under `requireApprovalAbove` (true when the
   * policy cannot tell). Lets adapters route approval through their framework before paying.
   */
  needsApproval(money: Money): boolean
  /** The ledger the budget lives in. */
  readonly ledger: Ledger
}

/** Options of {@link SpendingPolicy.reserve}. */
export type ReserveOptions = {
  /**
   * The owner already approved paying up to this much for this request (for example through an
   * agent framework's approval step); payments within it skip the `approve` callback. Every other
   * check still runs.
   */
  approvedUpTo?: Money
  /** The ledger spend id: pass the payment id so records and budget share it. Default: a random UUID. */
  id?: string
  /** Holds the payment for this request in the same atomic step as the reservation. Default: not held. */
  hold?: LedgerHold
}
