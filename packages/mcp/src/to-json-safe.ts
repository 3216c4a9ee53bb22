/**
 * A copy of `value` that `JSON.stringify` accepts: bigints become decimal strings.
 * @internal
 * @example toJsonSafe({ spentAtomic: 1000n }) // { spentAtomic: '1000' }
 */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(toJsonSafe)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJsonSafe(entry)]))
  }
  return value
}
