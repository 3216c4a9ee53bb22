import { z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'
import type { LedgerRecord } from './types.js'

const atomic = z.string().regex(/^(0|[1-9]\d{0,77})$/, 'must be a canonical decimal integer string')
const object = z.record(z.string().max(128), z.unknown())

// Unknown keys are dropped, so a ledger written by a newer version still replays.
const ledgerRecordSchema = z
  .object({
    id: z.string().min(1).max(128),
    type: z.enum([
      'quote',
      'broadcast',
      'confirmed',
      'authorized',
      'accepted',
      'rejected',
      'failed',
      'released',
    ]),
    at: z.number().int().nonnegative(),
    url: z.string().max(8192),
    scheme: z.string().min(1).max(32),
    network: z.string().min(1).max(64),
    asset: z.string().min(1).max(128),
    payTo: z.string().min(1).max(128),
    amount: atomic,
    transaction: z.string().min(1).max(256).optional(),
    payer: z.string().min(1).max(256).optional(),
    hints: object.optional(),
    payload: object.optional(),
    error: z.string().min(1).max(128).optional(),
    request: z.string().min(1).max(128).optional(),
    paymentIdentifier: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16 to 128 letters, digits, "-" or "_"')
      .optional(),
    pass: z
      .object({
        token: z.string().min(1).max(8192),
        expiresAt: z.number().int().nonnegative(),
        scope: z.object({
          routes: z.array(z.string().max(1024)).max(256),
          origin: z.string().max(2048).optional(),
        }),
      })
      .optional(),
  })
  .refine((record) => !['broadcast', 'confirmed'].includes(record.type) || record.transaction !== undefined, {
    message: 'a broadcast or confirmed record needs its transaction',
  })
  .refine((record) => record.type !== 'authorized' || record.payload !== undefined, {
    message: 'an authorized record needs its payload',
  })

// Names that only key material goes by; a record carrying one is refused, never stored.
const SECRET_KEY = /^(private_?key|secret_?key|secret|mnemonic|seed|seed_?phrase|keypair)$/i

/**
 * Validates a parsed JSON value as a {@link LedgerRecord}: required fields, canonical atomic
 * amount, a transaction on `broadcast`/`confirmed`, a payload on `authorized`, and no field named
 * like key material anywhere in `hints` or `payload`.
 *
 * @example parseLedgerRecord(JSON.parse(line))
 * @throws {TollgateError} `config_invalid` naming the first problem
 */
export function parseLedgerRecord(value: unknown): LedgerRecord {
  const result = ledgerRecordSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new TollgateError(
      'config_invalid',
      `Ledger record is invalid: ${where}${issue?.message ?? 'unknown problem'}.`,
      {
        details: { path: issue?.path.map(String) ?? [] },
      },
    )
  }
  const record = result.data as LedgerRecord
  const secret = findSecretKey(record.hints) ?? findSecretKey(record.payload)
  if (secret !== undefined) {
    throw new TollgateError(
      'config_invalid',
      `Ledger record carries a field named "${secret}"; key material is never recorded.`,
      {
        details: { field: secret },
      },
    )
  }
  return record
}

function findSecretKey(value: unknown, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 16) return undefined
  for (const [key, entry] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) return key
    const nested = findSecretKey(entry, depth + 1)
    if (nested !== undefined) return nested
  }
  return undefined
}
