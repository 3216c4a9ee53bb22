import { TollgateError } from '../errors/tollgate-error.js'
import type { ClaimState, Store } from '../store/types.js'
import { keepLease } from './keep-lease.js'
import type { KeptResponse } from './keep-response.js'

/** Characters a store keeps in a claim value. */
const MAX_VALUE_CHARS = 65_536

/** How a settled authorization ended, as its spent claim keeps it. */
export type SettledAuthorization = {
  /** The settlement's transaction. */
  transaction: string
  /** The payer the settlement reported. */
  payer: string
  /** A digest of the signed authorization. */
  proof: string
  /** The paid response, when it was kept for replay. */
  response?: KeptResponse
}

/** A settlement that was broadcast but not yet confirmed, as the claim's holder recorded it. */
export type PendingSettlementRecord = {
  /** The broadcast transaction's hash. */
  transaction: string
  /** The authorization claim's token, so whoever learns the outcome can commit or release it. */
  token: string
  /** A digest of the signed authorization that holds the claim, so only the same one resumes it. */
  proof: string
  /** The paid response, when it was kept for replay. */
  response?: KeptResponse
  /** The signed transaction, to broadcast again if the node never got it. */
  raw?: string
}

/** A held `exact` authorization claim; see {@link claimExactAuthorization}. */
export type ExactAuthorizationClaim = {
  /** Marks the authorization spent, keeping how it ended (and the response, when it fits). */
  commit(settled: Omit<SettledAuthorization, 'proof'>): Promise<void>
  /** Frees the authorization (never once spent). */
  release(): Promise<void>
  /**
   * Records that the settlement is pending with `transaction` (and its signed bytes `raw`),
   * keeping the authorization in flight for its whole window, so a retry (on any gate instance
   * sharing the store) can ask the chain how it ended. Called before the broadcast. Throws
   * `payment_in_progress` (with `details.settled === false`) when this holder's lease lapsed and
   * the claim is no longer its own: nothing may be broadcast then.
   */
  markPending(transaction: string, response?: KeptResponse, raw?: string): Promise<void>
  /**
   * Holds the claim for its whole window from now on, leaving the lease: for a settlement that
   * cannot be recorded before its broadcast. Throws like `markPending` when the lease lapsed.
   */
  holdForWindow(): Promise<void>
  /** Renews the lease now. Throws like `markPending` when it lapsed: the claim is someone else's. */
  confirmHeld(): Promise<void>
}

/** What {@link claimExactAuthorization} found. */
export type ExactAuthorizationClaimResult =
  | { claimed: true; claim: ExactAuthorizationClaim }
  | {
      claimed: false
      state: ClaimState
      /** How a spent authorization ended, when its claim kept it. */
      settled?: SettledAuthorization
      /** Set when the holder recorded a pending settlement. */
      pending?: PendingSettlementRecord
      /** Acts on the holder's claim once the pending settlement's outcome is known. */
      resume?: {
        /** The settlement confirmed: marks the authorization spent, keeping how it ended. */
        commit(settled: Omit<SettledAuthorization, 'proof'>): Promise<void>
        /** The settlement provably failed: frees the authorization. */
        release(): Promise<void>
      }
    }

/**
 * Claims an `exact` authorization under `key`, together with its settlement record: the claim's
 * value names a fresh attempt, and the record `<key>:settlement:<attempt>` is created in flight
 * beside it, so it exists (empty) before any retry looks for it and a retry never creates it. A
 * pending settlement commits the record with the transaction hash and the claim's token; the
 * claim itself stays in flight until the chain says how the settlement ended.
 * @internal
 * @example
 * const found = await claimExactAuthorization(store, 'exact:eip155:8453:0xabc:0x01', { ttlSeconds: 3600, proof })
 * if (found.claimed) await found.claim.markPending('0x…')
 * @throws Whatever the store throws (the gate answers `503 store_unavailable`)
 */
export async function claimExactAuthorization(
  store: Store,
  key: string,
  options: {
    /** Seconds the claim and its settlement record live. */
    ttlSeconds: number
    /** A digest of the signed authorization, kept in the settlement record. */
    proof: string
    /**
     * Seconds the claim lives in flight past its last renewal until the settlement is recorded
     * (see `keepLease`), when the store can renew claims. Default: none, `ttlSeconds`.
     */
    leaseSeconds?: number
  },
): Promise<ExactAuthorizationClaimResult> {
  const { ttlSeconds, proof } = options
  const attempt = crypto.randomUUID()
  const recordKey = settlementRecordKey(key, attempt)
  const lease =
    options.leaseSeconds === undefined
      ? undefined
      : keepLease(store, { leaseSeconds: options.leaseSeconds, maxSeconds: ttlSeconds })
  const [main, record] = await Promise.allSettled([
    store.claim(key, { ttlSeconds: lease?.ttlSeconds ?? ttlSeconds, value: JSON.stringify({ attempt }) }),
    store.claim(recordKey, { ttlSeconds }),
  ])
  const recordToken = record.status === 'fulfilled' && record.value.claimed ? record.value.token : undefined
  const dropRecord = async () => {
    if (recordToken !== undefined) await store.release(recordKey, recordToken).catch(() => false)
  }
  if (main.status !== 'fulfilled' || !main.value.claimed) lease?.stop()
  if (main.status === 'rejected' || record.status === 'rejected') {
    if (main.status === 'fulfilled' && main.value.claimed)
      await store.release(key, main.value.token).catch(() => false)
    await dropRecord()
    throw main.status === 'rejected' ? main.reason : (record as PromiseRejectedResult).reason
  }
  if (!main.value.claimed) {
    await dropRecord()
    const { state, value } = main.value
    if (state === 'spent') {
      const settled = parseJson(value) as SettledAuthorization | undefined
      return { claimed: false, state, ...(typeof settled?.proof === 'string' ? { settled } : {}) }
    }
    const pending = await findPending(store, key, value)
    if (pending === undefined) return { claimed: false, state }
    const resume = {
      commit: async (settled: Omit<SettledAuthorization, 'proof'>) => {
        const kept = { ...settled, proof: pending.proof }
        await store.commit(key, pending.token, { ttlSeconds, value: settledValue(kept) })
      },
      release: async () => {
        await store.release(key, pending.token)
      },
    }
    return { claimed: false, state, pending, resume }
  }
  const token = main.value.token
  lease?.add(key, token)
  // Leaves the lease for the whole window: from here on the money may move (ARCHITECTURE.md G8).
  const holdForWindow = async () => {
    lease?.stop()
    if (lease === undefined || lease.ttlSeconds >= ttlSeconds) return
    const renewed = lease.held() && (await store.renew?.(key, token, ttlSeconds)) === true
    if (!renewed) throw leaseLost()
  }
  const confirmHeld = async () => {
    if (lease === undefined || lease.ttlSeconds >= ttlSeconds) return
    const renewed = lease.held() && (await store.renew?.(key, token, lease.ttlSeconds)) === true
    if (!renewed) throw leaseLost()
  }
  return {
    claimed: true,
    claim: {
      confirmHeld,
      commit: async (settled) => {
        lease?.stop()
        await store.commit(key, token, { ttlSeconds, value: settledValue({ ...settled, proof }) })
        await dropRecord()
      },
      release: async () => {
        lease?.stop()
        await Promise.all([store.release(key, token).catch(() => false), dropRecord()])
      },
      holdForWindow,
      markPending: async (transaction, response, raw) => {
        await holdForWindow()
        if (recordToken === undefined) return
        const record: PendingSettlementRecord = {
          transaction,
          token,
          proof,
          ...(response ? { response } : {}),
          ...(raw === undefined ? {} : { raw }),
        }
        const bare = { transaction, token, proof, ...(raw === undefined ? {} : { raw }) }
        const value = fitted(record, () => JSON.stringify(bare))
        await store.commit(recordKey, recordToken, { ttlSeconds, value })
      },
    },
  }
}

function leaseLost(): TollgateError {
  return new TollgateError(
    'payment_in_progress',
    'This authorization is paying for a request right now; retry the same proof shortly.',
    { retryAfter: 1, details: { settled: false } },
  )
}

/** The spent claim's value: how it ended, without the response when that does not fit. */
function settledValue(settled: SettledAuthorization): string {
  const { response: _, ...bare } = settled
  return fitted(settled, () => JSON.stringify(bare))
}

function fitted(value: unknown, smaller: () => string): string {
  const encoded = JSON.stringify(value)
  return encoded.length <= MAX_VALUE_CHARS ? encoded : smaller()
}

function settlementRecordKey(key: string, attempt: string): string {
  return `${key}:settlement:${attempt}`
}

/** Reads the holder's settlement record, without ever leaving a record of its own behind. */
async function findPending(
  store: Store,
  key: string,
  value: string,
): Promise<PendingSettlementRecord | undefined> {
  const attempt = parseJson(value)?.attempt
  if (typeof attempt !== 'string') return undefined
  const recordKey = settlementRecordKey(key, attempt)
  const found = await store.claim(recordKey, { ttlSeconds: 1 })
  if (found.claimed) {
    // The record expired: nothing is known about the settlement.
    await store.release(recordKey, found.token).catch(() => false)
    return undefined
  }
  if (found.state !== 'spent') return undefined
  const record = parseJson(found.value)
  const { transaction, token, proof } = record ?? {}
  return typeof transaction === 'string' && typeof token === 'string' && typeof proof === 'string'
    ? (record as PendingSettlementRecord)
    : undefined
}

function parseJson(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value)
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
