import { createLedgerIndex } from './create-ledger-index.js'
import { encodeLedgerRecord } from './encode-ledger-record.js'
import type { Ledger } from './types.js'

/**
 * Creates a ledger that lives in memory. **It forgets everything when the process exits**, so
 * a transfer broadcast just before a crash could be paid again after it: use it in tests and
 * short-lived scripts, and `createFileLedger` from `@tollgate/core/node` (or another durable
 * ledger) for agents that hold real money. Records are stored as JSON would store them (bigints
 * as strings), exactly like the file ledger.
 *
 * @example
 * const ledger = createMemoryLedger()
 * await ledger.append({ id, type: 'broadcast', at: Date.now(), url, scheme: 'tx', network, asset, payTo, amount: '10000', transaction })
 * await ledger.findUnusedTransfer({ scheme: 'tx', network, asset, payTo, minAmount: 10_000n }) // the record
 * @throws {TollgateError} `config_invalid` from `append` for an invalid record (or one carrying a
 * key-like field), and from the finders for a malformed match
 */
export function createMemoryLedger(): Ledger {
  const index = createLedgerIndex()
  return {
    async append(record) {
      index.add(encodeLedgerRecord(record).record)
    },
    async records() {
      return index.records()
    },
    async findUnusedTransfer(match) {
      return index.findUnusedTransfer(match)
    },
    async findUnusedAuthorization(match) {
      return index.findUnusedAuthorization(match)
    },
  }
}
