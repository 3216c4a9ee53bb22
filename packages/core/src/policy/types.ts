import type { AssetInfo } from '../chains/types.js'
import type { TollgateError } from '../errors/tollgate-error.js'
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
  /** Payment scheme, `"exact"` or `"tx"`. */
  scheme: string
  /** The recipient. */
  payTo: string
}

/** Budget held for one payment between {@link SpendingPolicy.reserve} and commit or release. */
export type Reservation = Readonly<
  PolicyPayment & {
    /** A random id, for logs. */
    id: string
    /** When the budget was reserved, in unix milliseconds. */
    reservedAt: number
  }
>

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
 * A spending policy: checks every payment before anything is signed and keeps reserve, commit and
 * release accounting so concurrent payments can never together exceed a budget.
 */
export type SpendingPolicy = {
  /**
   * Checks a payment and reserves its budget; resolves once it is allowed (after approval when
   * required). Commit the reservation after paying or release it when nothing was paid.
   */
  reserve(quote: PolicyQuote, options?: ReserveOptions): Promise<Reservation>
  /** Marks a reservation as spent. Idempotent. */
  commit(reservation: Reservation): void
  /** Frees a reservation that was not paid. Idempotent; a no-op after commit. */
  release(reservation: Reservation): void
  /**
   * Runs every check of `reserve` without reserving, asking for approval or firing hooks, to choose
   * among payment options; throws the error `reserve` would.
   */
  check(quote: PolicyQuote, options?: ReserveOptions): PolicyCheckResult
  /** What has been spent and reserved so far. */
  spent(): SpendingReport
  /**
   * Whether a payment of `money` would need approval under `requireApprovalAbove` (true when the
   * policy cannot tell). Lets adapters route approval through their framework before paying.
   */
  needsApproval(money: Money): boolean
  /**
   * Counts payments made before this policy existed (read back from a ledger after a restart), so a
   * restart never resets a budget or a rate limit. Payments outside the window are ignored.
   */
  restore(spends: readonly PastSpend[]): void
}

/** Options of {@link SpendingPolicy.reserve}. */
export type ReserveOptions = {
  /**
   * The owner already approved paying up to this much for this request (for example through an
   * agent framework's approval step); payments within it skip the `approve` callback. Every other
   * check still runs.
   */
  approvedUpTo?: Money
}

/** A payment made earlier, as recorded in a ledger. */
export type PastSpend = {
  /** Unix milliseconds it was made. */
  at: number
  /** CAIP-2 network. */
  network: string
  /** Asset address, mint or `"native"`. */
  asset: string
  /** Atomic units. */
  amount: bigint
}
