import type { LedgerSpend } from './types.js'

/** A {@link LedgerSpend} as JSON stores it: bigints as decimal strings. */
export type EncodedLedgerSpend = Omit<LedgerSpend, 'amount' | 'charges'> & {
  amount: string
  charges: { line: string; value: string }[]
}

/**
 * Turns a spend into plain JSON data (bigints as decimal strings), the form every durable ledger
 * stores; {@link parseLedgerSpend} reads it back.
 *
 * @example JSON.stringify(encodeLedgerSpend(spend))
 */
export function encodeLedgerSpend(spend: LedgerSpend): EncodedLedgerSpend {
  return {
    id: spend.id,
    status: spend.status,
    reservedAt: spend.reservedAt,
    ...(spend.settledAt === undefined ? {} : { settledAt: spend.settledAt }),
    url: spend.url,
    scheme: spend.scheme,
    network: spend.network,
    asset: spend.asset,
    payTo: spend.payTo,
    amount: spend.amount.toString(),
    charges: spend.charges.map((charge) => ({ line: charge.line, value: charge.value.toString() })),
  }
}
