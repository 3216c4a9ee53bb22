import { z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'
import type { LedgerSpend } from './types.js'

const atomic = z.string().regex(/^(0|[1-9]\d{0,77})$/, 'must be a canonical decimal integer string')
const time = z.number().int().nonnegative()

const spendSchema = z.object({
  id: z.string().min(1).max(128),
  status: z.enum(['reserved', 'committed', 'released']),
  reservedAt: time,
  settledAt: time.optional(),
  url: z.string().max(8192),
  scheme: z.string().max(8192),
  network: z.string().max(8192),
  asset: z.string().max(8192),
  payTo: z.string().max(8192),
  amount: atomic,
  charges: z.array(z.object({ line: z.string().min(1).max(256), value: atomic })).max(256),
})

/**
 * Reads a spend stored by {@link encodeLedgerSpend} (a parsed JSON value) back into a
 * {@link LedgerSpend} with bigints.
 *
 * @example parseLedgerSpend(JSON.parse(row.json))
 * @throws {TollgateError} `ledger_unavailable` for data that is not a stored spend
 */
export function parseLedgerSpend(value: unknown): LedgerSpend {
  const result = spendSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new TollgateError(
      'ledger_unavailable',
      `A stored ledger spend is corrupt: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    )
  }
  const { amount, charges, settledAt, ...rest } = result.data
  return {
    ...rest,
    ...(settledAt === undefined ? {} : { settledAt }),
    amount: BigInt(amount),
    charges: charges.map((charge) => ({ line: charge.line, value: BigInt(charge.value) })),
  }
}
