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
  /** A pass sold with the payment. */
  pass?: LedgerPass
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
  /** Payment ids to skip (payments in flight in this process). */
  exclude?: ReadonlySet<string>
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
  /** Payment ids to skip (payments in flight in this process). */
  exclude?: ReadonlySet<string>
  /**
   * Unix milliseconds the authorization must still be valid after (its `validBefore` is later);
   * pass the current time plus the time the server needs to settle.
   */
  now: number
}

/**
 * Where a client records every quote, payment and proof, so a payment that was broadcast is never
 * paid twice: after a lost response or a restart, the proof is found and reused.
 */
export type Ledger = {
  /** Records one event; resolves once it is stored (durably, for a durable ledger). */
  append(record: LedgerRecord): Promise<void>
  /** Every record, in the order appended. */
  records(): Promise<LedgerRecord[]>
  /**
   * The latest `broadcast` or `confirmed` transfer whose payment was never credited (no
   * `accepted`, `failed`, or `rejected` with a final code) that matches scheme, network, asset and
   * recipient and moved at least `minAmount`; undefined when there is none.
   */
  findUnusedTransfer(match: TransferMatch): Promise<LedgerRecord | undefined>
  /**
   * The latest `authorized` record with a `payload` whose payment was not accepted, failed or
   * finally rejected, that matches and whose `validBefore` is after `match.now`.
   */
  findUnusedAuthorization(match: AuthorizationMatch): Promise<LedgerRecord | undefined>
}
