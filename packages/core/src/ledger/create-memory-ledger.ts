import { createHoldTable } from './create-hold-table.js'
import { createLedgerIndex } from './create-ledger-index.js'
import { createSpendBook } from './create-spend-book.js'
import { encodeLedgerRecord } from './encode-ledger-record.js'
import type { Ledger } from './types.js'

/** Options of {@link createMemoryLedger}. */
export type CreateMemoryLedgerOptions = {
  /** Clock in unix milliseconds, for holds and commits given no time. Default `Date.now`. */
  now?: () => number
}

/**
 * Creates a ledger that lives in memory. **It forgets everything when the process exits**, so
 * a transfer broadcast just before a crash could be paid again after it, and the budget starts
 * over: use it in tests and short-lived scripts, and `createFileLedger` from `@tollgate/core/node`
 * (or `@tollgate/sqlite`, `@tollgate/redis`) for agents that hold real money. Clients and policies
 * in one process that share it share one budget. Records are stored as JSON would store them
 * (bigints as strings), exactly like the durable ledgers.
 *
 * @example
 * const ledger = createMemoryLedger()
 * const policy = createSpendingPolicy({ budget: '$1', ledger })
 * const first = createClient({ wallets, policy })
 * const second = createClient({ wallets, policy }) // one $1 budget for both
 * @throws {TollgateError} `config_invalid` from `append` for an invalid record (or one carrying a
 * key-like field), and from the other methods for a malformed match, hold or reservation
 */
export function createMemoryLedger(options: CreateMemoryLedgerOptions = {}): Ledger {
  const clock = options.now ?? Date.now
  const index = createLedgerIndex()
  const holds = createHoldTable()
  const book = createSpendBook()
  return {
    async append(record) {
      index.add(encodeLedgerRecord(record).record)
    },
    async records() {
      return index.records()
    },
    async findUnusedTransfer(match) {
      return holds.pick(index.transferCandidates(match), match.take, match.now ?? clock())
    },
    async findUnusedAuthorization(match) {
      return holds.pick(index.authorizationCandidates(match), match.take, match.now)
    },
    async hold(id, hold, now) {
      return holds.hold(id, hold, now ?? clock())
    },
    async unhold(id, holder) {
      holds.unhold(id, holder)
    },
    async reserve(request) {
      const plan = book.plan(request)
      if (plan.reserved) {
        book.add(plan.spend)
        if (request.hold !== undefined) holds.hold(plan.spend.id, request.hold, request.spend.reservedAt)
      }
      return structuredClone(plan)
    },
    async commit(id, at) {
      const spend = book.planCommit(id, at ?? clock())
      if (spend !== undefined) book.update(spend)
      return structuredClone(spend)
    },
    async release(id, at) {
      const spend = book.planRelease(id, at ?? clock())
      if (spend !== undefined) book.update(spend)
      return structuredClone(spend)
    },
    async usage(limits, now) {
      return book.usage(limits, now)
    },
    async spends(query) {
      return book.spends(query)
    },
  }
}
