import { quote, TollgateError } from '../errors/tollgate-error.js'
import { isFinalRejection } from './is-final-rejection.js'
import type { AuthorizationMatch, LedgerRecord, TransferMatch } from './types.js'

/** Records in memory plus what each payment id still has to offer for reuse. @internal */
export type LedgerIndex = {
  /** Adds a validated record, in append order. */
  add(record: LedgerRecord): void
  /** Copies of every record, in append order. */
  records(): LedgerRecord[]
  /** See {@link Ledger.findUnusedTransfer}. */
  findUnusedTransfer(match: TransferMatch): LedgerRecord | undefined
  /** See {@link Ledger.findUnusedAuthorization}. */
  findUnusedAuthorization(match: AuthorizationMatch): LedgerRecord | undefined
}

type Candidate = { record: LedgerRecord; sequence: number }

type PaymentState = {
  /** Credited, failed or finally rejected: nothing of this payment may be reused. */
  closed: boolean
  transfer?: Candidate
  authorization?: Candidate
}

/**
 * Creates the in-memory index both ledgers share, so the memory and file ledgers decide reuse
 * by exactly the same rules.
 *
 * @example const index = createLedgerIndex(); index.add(record); index.findUnusedTransfer(match)
 * @throws {TollgateError} `config_invalid` from the finders for a malformed match
 * @internal
 */
export function createLedgerIndex(): LedgerIndex {
  const all: LedgerRecord[] = []
  const payments = new Map<string, PaymentState>()

  const latest = (
    pick: (state: PaymentState) => Candidate | undefined,
    accepts: (record: LedgerRecord) => boolean,
    exclude: ReadonlySet<string> | undefined,
  ): LedgerRecord | undefined => {
    let best: Candidate | undefined
    for (const [id, state] of payments) {
      const candidate = state.closed || exclude?.has(id) ? undefined : pick(state)
      if (candidate === undefined || (best !== undefined && candidate.sequence < best.sequence)) continue
      if (accepts(candidate.record)) best = candidate
    }
    return best === undefined ? undefined : structuredClone(best.record)
  }

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

    findUnusedTransfer(match) {
      assertMatch(match, 'findUnusedTransfer')
      return latest(
        (state) => state.transfer,
        (record) => matches(record, match.scheme, match),
        match.exclude,
      )
    },

    findUnusedAuthorization(match) {
      assertMatch(match, 'findUnusedAuthorization')
      if (typeof match.now !== 'number' || !Number.isFinite(match.now)) {
        throw new TollgateError(
          'config_invalid',
          `findUnusedAuthorization needs \`now\` in unix milliseconds, got ${quote(String(match.now))}.`,
        )
      }
      const nowSeconds = BigInt(Math.floor(match.now / 1000))
      return latest(
        (state) => state.authorization,
        (record) => {
          if (!matches(record, match.scheme ?? 'exact', match)) return false
          const validBefore = validBeforeOf(record.payload)
          return validBefore !== undefined && validBefore > nowSeconds
        },
        match.exclude,
      )
    },
  }
}

function matches(
  record: LedgerRecord,
  scheme: string,
  match: { network: string; asset: string; payTo: string; minAmount: bigint },
): boolean {
  // EVM addresses are case-insensitive; Solana's base58 addresses are not.
  const same = match.network.startsWith('eip155:')
    ? (left: string, right: string) => left.toLowerCase() === right.toLowerCase()
    : (left: string, right: string) => left === right
  return (
    record.scheme === scheme &&
    record.network === match.network &&
    same(record.asset, match.asset) &&
    same(record.payTo, match.payTo) &&
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
    (match.scheme === undefined || typeof match.scheme === 'string')
  if (!valid) {
    throw new TollgateError(
      'config_invalid',
      `${method} needs { scheme, network, asset, payTo, minAmount } with minAmount a bigint.`,
    )
  }
}
