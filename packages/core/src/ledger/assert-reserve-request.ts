import { TollgateError } from '../errors/tollgate-error.js'
import { assertHold } from './assert-hold.js'
import type { LedgerReserveRequest } from './types.js'

const LINE = /^[\x21-\x7e]{1,256}$/

/**
 * Throws unless `request` is a well-formed {@link LedgerReserveRequest}: ids, bigint amounts and
 * charges that are not negative, finite times, limits with positive windows.
 *
 * @example assertReserveRequest({ spend, limits: [{ line: 'payments', limit: 10n }] })
 * @throws {TollgateError} `config_invalid` naming the first problem
 */
export function assertReserveRequest(request: LedgerReserveRequest): void {
  const spend = request?.spend
  if (typeof spend !== 'object' || spend === null) problem('`spend` is missing')
  assertSpend(spend)
  assertCharges(spend.charges)
  assertLimits(request.limits)
  if (request.hold !== undefined) assertHold(spend.id, request.hold)
}

function problem(message: string): never {
  throw new TollgateError('config_invalid', `Ledger reservation is invalid: ${message}.`)
}

function assertSpend(spend: LedgerReserveRequest['spend']): void {
  if (typeof spend.id !== 'string' || spend.id.length === 0 || spend.id.length > 128) {
    problem('`spend.id` must be 1 to 128 characters')
  }
  if (!Number.isSafeInteger(spend.reservedAt) || spend.reservedAt < 0) {
    problem('`spend.reservedAt` must be unix milliseconds')
  }
  for (const field of ['url', 'scheme', 'network', 'asset', 'payTo'] as const) {
    if (typeof spend[field] !== 'string' || spend[field].length > 8192)
      problem(`\`spend.${field}\` must be a string`)
  }
  if (typeof spend.amount !== 'bigint' || spend.amount < 0n)
    problem('`spend.amount` must be a bigint of at least 0')
}

function assertCharges(charges: LedgerReserveRequest['spend']['charges']): void {
  if (!Array.isArray(charges)) problem('`spend.charges` must be an array')
  const lines = new Set<string>()
  for (const charge of charges) {
    if (typeof charge?.line !== 'string' || !LINE.test(charge.line))
      problem('a charge needs a printable `line`')
    if (typeof charge.value !== 'bigint' || charge.value < 0n) {
      problem(`charge ${charge.line} needs a bigint value of at least 0`)
    }
    if (lines.has(charge.line)) problem(`line ${charge.line} is charged twice`)
    lines.add(charge.line)
  }
}

function assertLimits(limits: LedgerReserveRequest['limits']): void {
  if (!Array.isArray(limits)) problem('`limits` must be an array')
  for (const limit of limits) {
    if (typeof limit?.line !== 'string' || !LINE.test(limit.line)) problem('a limit needs a printable `line`')
    if (typeof limit.limit !== 'bigint' || limit.limit < 0n)
      problem(`limit ${limit.line} needs a bigint of at least 0`)
    if (limit.windowMs !== undefined && !(Number.isSafeInteger(limit.windowMs) && limit.windowMs > 0)) {
      problem(`limit ${limit.line} needs a positive whole \`windowMs\``)
    }
  }
}
