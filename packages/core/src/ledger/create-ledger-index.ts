import { sameAddress } from '../chains/same-address.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { isFinalRejection } from './is-final-rejection.js'
import type { AuthorizationMatch, LedgerRecord, TransferMatch } from './types.js'

/** Records in memory plus what each payment id still has to offer for reuse, for ledger backends. */
export type LedgerIndex = {
  /** Adds a validated record, in append order. */
  add(record: LedgerRecord): void
  /** Copies of every record, in append order. */
  records(): LedgerRecord[]
  /** Unused transfers matching, latest first, whoever holds them (see {@link Ledger.findUnusedTransfer}). */
  transferCandidates(match: TransferMatch): LedgerRecord[]
  /** Unused, still valid authorizations matching, latest first, whoever holds them. */
  authorizationCandidates(match: AuthorizationMatch): LedgerRecord[]
}

type Candidate = { record: LedgerRecord; sequence: number }

type PaymentState = {
  /** Credited, failed or finally rejected: nothing of this payment may be reused. */
  closed: boolean
  transfer?: Candidate
  authorization?: Candidate
}

/**
 * Creates the in-memory index every ledger backend decides reuse with, so they all decide by
 * exactly the same rules. Holds are applied on top, by the backend.
 *
 * @example const index = createLedgerIndex(); index.add(record); index.transferCandidates(match)[0]
 * @throws {TollgateError} `config_invalid` from the candidate lists for a malformed match
 */
export function createLedgerIndex(): LedgerIndex {
  const all: LedgerRecord[] = []
  const payments = new Map<string, PaymentState>()

  const collect = (
    pick: (state: PaymentState) => Candidate | undefined,
    accepts: (record: LedgerRecord) => boolean,
  ): LedgerRecord[] => {
    const found: Candidate[] = []
    for (const state of payments.values()) {
      const candidate = state.closed ? undefined : pick(state)
      if (candidate !== undefined && accepts(candidate.record)) found.push(candidate)
    }
    return found
      .sort((left, right) => right.sequence - left.sequence)
      .map(({ record }) => structuredClone(record))
  }
  // With a request: its own payments first, then those recorded without one; never another's.
  const forRequest = (records: LedgerRecord[], request: string | undefined): LedgerRecord[] =>
    request === undefined
      ? records
      : [
          ...records.filter((record) => record.request === request),
          ...records.filter((record) => record.request === undefined),
        ]

  return {
    add(record) {
      const sequence = all.push(record)
      let state = payments.get(record.id)
      if (state === undefined) {
        state = { closed: false }
        payments.set(record.id, state)
      }
      switch (record.type) {
        case 'accepted':
        case 'failed':
          state.closed = true
          break
        case 'rejected':
          if (record.error !== undefined && isFinalRejection(record.error)) state.closed = true
          break
        case 'broadcast':
        case 'confirmed':
          // The latest record wins, so a confirmed transfer is offered with its lookup hints.
          state.transfer = { record, sequence }
          break
        case 'authorized':
          state.authorization = { record, sequence }
          break
        default:
          break
      }
      // A closed payment never reopens, so its candidates can be forgotten.
      if (state.closed) {
        delete state.transfer
        delete state.authorization
      }
    },

    records: () => structuredClone(all),

    transferCandidates(match) {
      assertMatch(match, 'findUnusedTransfer')
      const found = collect(
        (state) => state.transfer,
        (record) => matches(record, match.scheme, match),
      )
      return forRequest(found, match.request)
    },

    authorizationCandidates(match) {
      assertMatch(match, 'findUnusedAuthorization')
      if (typeof match.now !== 'number' || !Number.isFinite(match.now)) {
        throw new TollgateError(
          'config_invalid',
          `findUnusedAuthorization needs \`now\` in unix milliseconds, got ${quote(String(match.now))}.`,
        )
      }
      const nowSeconds = BigInt(Math.floor(match.now / 1000))
      const found = collect(
        (state) => state.authorization,
        (record) => {
          if (!matches(record, match.scheme ?? 'exact', match)) return false
          const validBefore = validBeforeOf(record.payload)
          return validBefore !== undefined && validBefore > nowSeconds
        },
      )
      return forRequest(found, match.request)
    },
  }
}

function matches(
  record: LedgerRecord,
  scheme: string,
  match: { network: string; asset: string; payTo: string; minAmount: bigint },
): boolean {
  return (
    record.scheme === scheme &&
    record.network === match.network &&
    sameAddress(match.network, record.asset, match.asset) &&
    sameAddress(match.network, record.payTo, match.payTo) &&
    BigInt(record.amount) >= match.minAmount
  )
}

// EIP-3009 `validBefore` (unix seconds) as a decimal string or number; undefined when unreadable,
// so an authorization of unknown lifetime is never reused.
function validBeforeOf(payload: Record<string, unknown> | undefined): bigint | undefined {
  const authorization = payload?.authorization
  if (typeof authorization !== 'object' || authorization === null) return undefined
  const value = (authorization as { validBefore?: unknown }).validBefore
  if (typeof value === 'string' && /^\d{1,78}$/.test(value)) return BigInt(value)
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  return undefined
}

function assertMatch(match: TransferMatch | AuthorizationMatch, method: string): void {
  const valid =
    typeof match === 'object' &&
    match !== null &&
    typeof match.network === 'string' &&
    typeof match.asset === 'string' &&
    typeof match.payTo === 'string' &&
    typeof match.minAmount === 'bigint' &&
    (match.scheme === undefined || typeof match.scheme === 'string') &&
    (match.request === undefined || typeof match.request === 'string') &&
    (match.take === undefined || isHold(match.take))
  if (!valid) {
    throw new TollgateError(
      'config_invalid',
      `${method} needs { scheme, network, asset, payTo, minAmount } with minAmount a bigint, and \`take\` a { holder, until }.`,
    )
  }
}

function isHold(value: unknown): boolean {
  const hold = value as { holder?: unknown; until?: unknown } | null
  return (
    typeof hold === 'object' &&
    hold !== null &&
    typeof hold.holder === 'string' &&
    hold.holder.length > 0 &&
    hold.holder.length <= 128 &&
    typeof hold.until === 'number' &&
    Number.isFinite(hold.until)
  )
}
