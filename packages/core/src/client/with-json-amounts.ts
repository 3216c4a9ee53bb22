/**
 * Gives a report holding bigint amounts a `toJSON` that writes them as decimal strings, so
 * `JSON.stringify(await client.spent())` works (plain JSON has no bigint). The report itself is
 * unchanged: the method is not enumerable and amounts stay bigints for code.
 *
 * @example JSON.stringify(withJsonAmounts({ spentAtomic: 10n })) // '{"spentAtomic":"10"}'
 * @throws never
 */
export function withJsonAmounts<T extends object>(report: T): T {
  Object.defineProperty(report, 'toJSON', { value: () => toJsonValue(report), enumerable: false })
  return report
}

function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJsonValue(entry)]))
}
