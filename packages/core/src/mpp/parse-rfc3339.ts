const RFC3339 =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/

/**
 * Reads an RFC 3339 date-time (`2025-01-15T12:05:00Z`, offsets and fractions allowed) as unix
 * milliseconds, or `undefined` for anything else (including impossible dates such as February 30).
 *
 * @example parseRfc3339('2025-01-15T12:05:00Z') // 1736942700000
 */
export function parseRfc3339(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined
  const match = RFC3339.exec(text)
  if (!match) return undefined
  const milliseconds = Date.parse(text.toUpperCase())
  if (!Number.isFinite(milliseconds)) return undefined
  const [, year, month, day] = match
  // Date.parse rolls February 30 over into March; the calendar day must exist.
  const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  return check.getUTCDate() === Number(day) ? milliseconds : undefined
}
