import { TollgateError } from '../errors/tollgate-error.js'
import { assertReserveRequest } from './assert-reserve-request.js'
import { measureUsage } from './measure-usage.js'
import type {
  LedgerLimit,
  LedgerReserveRequest,
  LedgerReserveResult,
  LedgerSpend,
  LedgerSpendsQuery,
  LedgerUsage,
} from './types.js'

/** The budget of a ledger that lives in one process, kept in memory; every method is synchronous, so each is atomic. @internal */
export type SpendBook = {
  /** Checks limits without changing anything: the spend to add, or the first line it would pass. */
  plan(request: LedgerReserveRequest): LedgerReserveResult
  /** Adds a planned spend (or replays one); a known id is refused. */
  add(spend: LedgerSpend): void
  /** The spend after committing `id` at `at`, when that changes it; nothing is changed yet. */
  planCommit(id: string, at: number): LedgerSpend | undefined
  /** The spend after releasing `id` at `at`, when that changes it; nothing is changed yet. */
  planRelease(id: string, at: number): LedgerSpend | undefined
  /** Replaces a known spend with its new state. */
  update(spend: LedgerSpend): void
  /** See {@link Ledger.usage}. */
  usage(limits: readonly LedgerLimit[], now: number): LedgerUsage[]
  /** See {@link Ledger.spends}. */
  spends(query?: LedgerSpendsQuery): LedgerSpend[]
}

/**
 * Creates the in-memory budget the memory and file ledgers share. Planning and applying are
 * separate so the file ledger writes an event durably before the book changes.
 *
 * @example const book = createSpendBook(); const plan = book.plan(request); if (plan.reserved) book.add(plan.spend)
 * @throws {TollgateError} `config_invalid` from `plan` for a malformed request or a known id
 * @internal
 */
export function createSpendBook(): SpendBook {
  const spends = new Map<string, LedgerSpend>()
  return {
    plan(request) {
      assertReserveRequest(request)
      const { spend } = request
      if (spends.has(spend.id)) {
        throw new TollgateError('config_invalid', `Ledger spend ${spend.id} is already reserved.`)
      }
      for (const limit of request.limits) {
        const value = spend.charges.find((charge) => charge.line === limit.line)?.value
        if (value === undefined) continue
        const usage = measureUsage(spends.values(), limit, spend.reservedAt, value)
        if (usage.committed + usage.reserved + value > limit.limit)
          return { reserved: false, exceeded: usage }
      }
      return { reserved: true, spend: { ...structuredClone(spend), status: 'reserved' } }
    },
    add(spend) {
      if (spends.has(spend.id)) {
        throw new TollgateError('config_invalid', `Ledger spend ${spend.id} is already reserved.`)
      }
      spends.set(spend.id, spend)
    },
    planCommit(id, at) {
      const spend = spends.get(id)
      if (spend === undefined || spend.status === 'committed') return undefined
      return { ...structuredClone(spend), status: 'committed', settledAt: at }
    },
    planRelease(id, at) {
      const spend = spends.get(id)
      if (spend === undefined || spend.status !== 'reserved') return undefined
      return { ...structuredClone(spend), status: 'released', settledAt: at }
    },
    update(spend) {
      spends.set(spend.id, spend)
    },
    usage(limits, now) {
      return limits.map((limit) => measureUsage(spends.values(), limit, now))
    },
    spends(query = {}) {
      const after = query.committedAfter
      return [...spends.values()]
        .filter(
          (spend) =>
            spend.status === 'reserved' ||
            (spend.status === 'committed' && (after === undefined || (spend.settledAt ?? 0) > after)),
        )
        .sort((left, right) => left.reservedAt - right.reservedAt)
        .map((spend) => structuredClone(spend))
    },
  }
}
