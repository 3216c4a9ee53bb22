import { createHash } from 'node:crypto'

/** The answer of `POST /api/identity`: a made-up identity verification. */
export type IdentityCheck = {
  /** Stable id of this check, derived from the input. */
  id: string
  status: 'verified' | 'needs_review'
  subject: { name: string; country: string }
  checks: { document: 'pass' | 'fail'; liveness: 'pass' | 'fail'; watchlist: 'clear' | 'hit' }
  /** Confidence between 0 and 1. */
  score: number
  /** ISO 8601 time of the check. */
  checkedAt: string
}

/**
 * Runs a fake identity check on `{ name?, country?, documentNumber? }`. The outcome is derived
 * from the input, so the same person always gets the same result; a name containing "review"
 * always needs review, for demos of the unhappy path.
 *
 * @example checkIdentity({ name: 'Ada Lovelace', country: 'GB' }).status // 'verified'
 */
export function checkIdentity(input: Record<string, unknown>): IdentityCheck {
  const name =
    typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim().slice(0, 120) : 'Anonymous'
  const country = typeof input.country === 'string' ? input.country.trim().slice(0, 2).toUpperCase() : 'US'
  const documentNumber = typeof input.documentNumber === 'string' ? input.documentNumber.slice(0, 64) : ''
  const digest = createHash('sha256').update(`${name}\n${country}\n${documentNumber}`).digest()
  const review = /review/i.test(name)
  return {
    id: `idv_${digest.subarray(0, 8).toString('hex')}`,
    status: review ? 'needs_review' : 'verified',
    subject: { name, country },
    checks: { document: 'pass', liveness: review ? 'fail' : 'pass', watchlist: 'clear' },
    score: review ? 0.42 : Math.round((0.9 + digest[8]! / 2550) * 1000) / 1000,
    checkedAt: new Date().toISOString(),
  }
}
