/**
 * JSON.stringify that writes bigints as plain JSON integers, the way a validator writes u64s
 * (`"rentEpoch": 18446744073709551615`). Clients that parse big integers (such as `@solana/kit`)
 * then see the exact value.
 * @internal
 */
export function stringifyRpcJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null'
  }
  if (Array.isArray(value)) {
    return `[${value.map((entry) => (entry === undefined ? 'null' : stringifyRpcJson(entry))).join(',')}]`
  }
  const fields: string[] = []
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined || typeof entry === 'function') continue
    fields.push(`${JSON.stringify(key)}:${stringifyRpcJson(entry)}`)
  }
  return `{${fields.join(',')}}`
}
