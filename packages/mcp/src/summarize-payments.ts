import type { LedgerRecord } from '@tollgate/core'

/** One payment as `list_payments` shows it: public facts only, never an authorization payload. */
export type PaymentSummary = {
  id: string
  /** The latest ledger event: `accepted`, `rejected`, `confirmed`, `failed`, … */
  status: LedgerRecord['type']
  /** Unix milliseconds of the latest event. */
  at: number
  url: string
  scheme: string
  network: string
  asset: string
  /** Atomic units, a decimal string. */
  amount: string
  transaction?: string
  error?: string
}

/**
 * Folds ledger records into one summary per payment, newest first, at most `limit` of them.
 * @internal
 * @example summarizePayments(await client.ledger.records(), 20)
 */
export function summarizePayments(records: readonly LedgerRecord[], limit: number): PaymentSummary[] {
  const byId = new Map<string, PaymentSummary>()
  for (const record of records) {
    const previous = byId.get(record.id)
    // Re-inserting keeps the map ordered by each payment's latest event.
    byId.delete(record.id)
    byId.set(record.id, {
      id: record.id,
      status: record.type,
      at: record.at,
      url: record.url,
      scheme: record.scheme,
      network: record.network,
      asset: record.asset,
      amount: record.amount,
      ...((record.transaction ?? previous?.transaction) === undefined
        ? {}
        : { transaction: (record.transaction ?? previous?.transaction) as string }),
      ...(record.error === undefined ? {} : { error: record.error }),
    })
  }
  return [...byId.values()].reverse().slice(0, limit)
}
