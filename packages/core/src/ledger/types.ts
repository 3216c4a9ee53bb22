/** What a {@link LedgerRecord} records about a payment attempt. */
export type LedgerRecordType =
  /** The policy allowed the payment and budget was reserved; nothing was signed yet. */
  | 'quote'
  /** A `tx` transfer was broadcast: money is leaving the wallet. */
  | 'broadcast'
  /** The transfer has its confirmations. */
  | 'confirmed'
  /** An `exact` authorization was signed (kept in `payload`). */
  | 'authorized'
  /** The server accepted the payment and served the request. */
  | 'accepted'
  /** The server refused the payment; `error` holds its code. */
  | 'rejected'
  /** The payment failed on the client side (not sent, or reverted); `error` holds the code. */
  | 'failed'
  /** The reservation was released without paying. */
  | 'released'

/** A pass a server sold with a payment, kept so it is reused instead of paying again. */
export type LedgerPass = {
  /** The opaque pass token, sent as `X-Payment-Pass`. */
  token: string
  /** Unix seconds after which the pass is no longer valid. */
  expiresAt: number
  /** What the pass covers. */
  scope: {
    /** Route patterns, such as `"GET /weather/:city"`. */
    routes: string[]
    /** The origin the pass is valid for. */
    origin?: string
  }
}

/**
 * One line of the payment ledger. Every record of one payment attempt shares its `id`; records
 * hold public payment facts only, never key material.
 */
export type LedgerRecord = {
  /** Payment id, shared by all records of one payment attempt. */
  id: string
  /** What happened. */
  type: LedgerRecordType
  /** Unix milliseconds. */
  at: number
  /** The URL paid for. */
  url: string
  /** Payment scheme, `"tx"` or `"exact"`. */
  scheme: string
  /** CAIP-2 network. */
  network: string
  /** Token address, mint or `"native"`. */
  asset: string
  /** The recipient. */
  payTo: string
  /** Atomic units, a canonical decimal integer string. */
  amount: string
  /** Transaction hash or signature; required on `broadcast` and `confirmed`. */
  transaction?: string
  /** The paying address. */
  payer?: string
  /** Lookup hints for a `tx` proof, such as `blockNumber`. */
  hints?: Record<string, unknown>
  /**
   * The exact scheme payload (`{ signature, authorization }`), required on `authorized`, so a
   * lost response resends the same authorization instead of signing a new one.
   */
  payload?: Record<string, unknown>
  /** The error code of a `rejected` or `failed` record. */
  error?: string
  /**
   * A digest of the request the payment is for (method, URL and body): a payment whose answer
   * was lost is reused by a retry of the same request only, so a retried agent tool call gets its
   * own answer back and never another request's.
   */
  request?: string
  /** The x402 `payment-identifier` sent with the payment, sent again with the same payload. */
  paymentIdentifier?: string
  /** A pass sold with the payment. */
  pass?: LedgerPass
}

/**
 * A hold on a payment in flight: while it lasts, the finders offer the payment to nobody, so two
 * requests (of one client, two clients or two processes) never send the same proof at once.
 */
export type LedgerHold = {
  /** Who holds it: a random id per request. Only the holder ends the hold early. */
  holder: string
  /**
   * Unix milliseconds when the hold lapses on its own, so the payments of a crashed holder become
   * reusable. Resending a proof cannot pay twice, so a lapsed hold never costs money.
   */
  until: number
}

/** What {@link Ledger.findUnusedTransfer} looks for. */
export type TransferMatch = {
  /** Payment scheme, usually `"tx"`. */
  scheme: string
  /** CAIP-2 network. */
  network: string
  /** Token address, mint or `"native"`; case-insensitive on EVM. */
  asset: string
  /** The recipient; case-insensitive on EVM. */
  payTo: string
  /** The least atomic units the transfer must have moved. */
  minAmount: bigint
  /**
   * The request's digest ({@link LedgerRecord.request}): only payments made for it (or recorded
   * without one) are found, those made for it first. Default: any request.
   */
  request?: string
  /**
   * Holds the payment found for this holder in the same atomic step, so no other request can
   * take it meanwhile. Default: only look.
   */
  take?: LedgerHold
  /** Unix milliseconds that holds are judged at. Default: the ledger's clock. */
  now?: number
}

/** What {@link Ledger.findUnusedAuthorization} looks for. */
export type AuthorizationMatch = {
  /** Payment scheme. Default `"exact"`. */
  scheme?: string
  /** CAIP-2 network. */
  network: string
  /** Token address; case-insensitive on EVM. */
  asset: string
  /** The recipient; case-insensitive on EVM. */
  payTo: string
  /** The least atomic units the authorization must be for. */
  minAmount: bigint
  /** See {@link TransferMatch.request}. */
  request?: string
  /** See {@link TransferMatch.take}. */
  take?: LedgerHold
  /**
   * Unix milliseconds the authorization must still be valid after (its `validBefore` is later);
   * pass the current time plus the time the server needs to settle. Holds are judged at it too.
   */
  now: number
}

/** A payment's value under one budget line, such as dollars or payments counted by a rate limit. */
export type LedgerCharge = {
  /**
   * What the line measures, not its limit, so spend recorded under `"$5"` still counts after the
   * budget becomes `"$10"`: `"usd:18"`, `"units:USDC:18"`, `"atomic:eip155:8453|0x…:6"`, `"payments"`.
   */
  line: string
  /** The value in the line's units (atomic units at the line's decimals, or 1 payment). */
  value: bigint
}

/** A limit {@link Ledger.reserve} enforces on one line. */
export type LedgerLimit = {
  /** The line, as in {@link LedgerCharge.line}. */
  line: string
  /** The most the line may hold: reserved plus committed within the window. */
  limit: bigint
  /** Only spend committed within the last `windowMs` milliseconds counts. Default: all of it. */
  windowMs?: number
}

/** Where one reservation of budget stands. */
export type LedgerSpendStatus =
  /** Budget is held: the payment may still move money. Counts against every limit. */
  | 'reserved'
  /** The money moved (or may have): counts against limits within their windows. Final. */
  | 'committed'
  /** The money provably did not and cannot move. Counts no more. */
  | 'released'

/** Budget reserved for one payment, as the ledger keeps it. */
export type LedgerSpend = {
  /** The payment id, shared with the payment's {@link LedgerRecord}s. */
  id: string
  /** Where it stands. */
  status: LedgerSpendStatus
  /** Unix milliseconds it was reserved. */
  reservedAt: number
  /** Unix milliseconds it was committed or released; absent while reserved. */
  settledAt?: number
  /** The URL paid for. */
  url: string
  /** Payment scheme, `"tx"` or `"exact"`. */
  scheme: string
  /** CAIP-2 network. */
  network: string
  /** Token address, mint or `"native"`. */
  asset: string
  /** The recipient. */
  payTo: string
  /** Atomic units of `asset`. */
  amount: bigint
  /** What the payment counts against; a line without a charge is not touched. */
  charges: LedgerCharge[]
}

/** What {@link Ledger.reserve} takes. */
export type LedgerReserveRequest = {
  /** The spend to add (its status becomes `reserved`; `reservedAt` is the time limits are judged at). */
  spend: Omit<LedgerSpend, 'status' | 'settledAt'>
  /** Limits to enforce, each on the line of the same name; lines the spend has no charge on are skipped. */
  limits: readonly LedgerLimit[]
  /** Holds the payment for its request in the same step. Default: not held. */
  hold?: LedgerHold
}

/** How much of a line is used, as {@link Ledger.usage} and a refused reserve report it. */
export type LedgerUsage = {
  /** The line. */
  line: string
  /** Committed within the window, in the line's units. */
  committed: bigint
  /** Reserved (neither committed nor released), in the line's units. */
  reserved: bigint
  /** The line's limit. */
  limit: bigint
  /**
   * For a refused reservation: unix milliseconds when enough committed spend will have left the
   * window for it to fit, if reservations do not change; absent when that never happens.
   */
  retryAt?: number
}

/** What {@link Ledger.reserve} resolves to. */
export type LedgerReserveResult =
  | { reserved: true; spend: LedgerSpend }
  | {
      reserved: false
      /** The first line the spend would push past its limit. */
      exceeded: LedgerUsage
    }

/** What {@link Ledger.spends} returns. */
export type LedgerSpendsQuery = {
  /**
   * Committed spends settled at or before this unix millisecond are left out. Default: every
   * committed spend. Reserved spends are always returned; released ones never.
   */
  committedAfter?: number
}

/**
 * Where a client records every quote, payment and proof, and where the budget lives: reservations,
 * commits and releases are atomic operations of the ledger, and which payments are in flight is
 * held here too, so every client, process or machine that shares a ledger shares one budget and
 * never takes another's payment in flight.
 */
export type Ledger = {
  /** Records one event; resolves once it is stored (durably, for a durable ledger). */
  append(record: LedgerRecord): Promise<void>
  /** Every record, in the order appended. */
  records(): Promise<LedgerRecord[]>
  /**
   * The latest `broadcast` or `confirmed` transfer whose payment was never credited (no
   * `accepted`, `failed`, or `rejected` with a final code), is not held by anyone, matches scheme,
   * network, asset and recipient and moved at least `minAmount`; undefined when there is none.
   * With `take`, the payment found is held in the same atomic step.
   */
  findUnusedTransfer(match: TransferMatch): Promise<LedgerRecord | undefined>
  /**
   * The latest `authorized` record with a `payload` whose payment was not accepted, failed or
   * finally rejected, is not held, matches, and whose `validBefore` is after `match.now`. With
   * `take`, the payment found is held in the same atomic step.
   */
  findUnusedAuthorization(match: AuthorizationMatch): Promise<LedgerRecord | undefined>
  /**
   * Holds a payment for a request; false when someone else holds it. Re-holding by the same
   * holder extends the hold.
   */
  hold(id: string, hold: LedgerHold, now?: number): Promise<boolean>
  /** Ends a hold early; a no-op unless `holder` holds `id`. */
  unhold(id: string, holder: string): Promise<void>
  /**
   * Checks every limit and adds the spend as `reserved` in one atomic step, so any number of
   * concurrent reservations, from any process sharing the ledger, never together pass a limit.
   */
  reserve(request: LedgerReserveRequest): Promise<LedgerReserveResult>
  /**
   * Marks a spend committed (money moved). Resolves with the spend when this call committed it,
   * undefined when it was already committed or is unknown. Commits a released spend too: money
   * that moved counts even after a mistaken release.
   */
  commit(id: string, at?: number): Promise<LedgerSpend | undefined>
  /**
   * Marks a reserved spend released (the money provably did not and cannot move). Resolves with
   * the spend when this call released it; a no-op after commit.
   */
  release(id: string, at?: number): Promise<LedgerSpend | undefined>
  /** How much of each line is used at `now` (unix milliseconds). Read only; not atomic with a later reserve. */
  usage(limits: readonly LedgerLimit[], now: number): Promise<LedgerUsage[]>
  /** Reserved spends and the committed ones the query keeps, oldest reservation first. */
  spends(query?: LedgerSpendsQuery): Promise<LedgerSpend[]>
  /** Releases what the ledger holds open (file lock, connection). Idempotent. */
  close?(): Promise<void>
}
