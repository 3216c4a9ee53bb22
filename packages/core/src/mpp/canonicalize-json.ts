import { quote, TollgateError } from '../errors/tollgate-error.js'

/**
 * Serialises a JSON value with the JSON Canonicalization Scheme (RFC 8785): object keys sorted by
 * UTF-16 code units, no whitespace, numbers and strings as ECMAScript's `JSON.stringify` writes
 * them. Object members whose value is `undefined` are left out, as `JSON.stringify` does.
 *
 * @example canonicalizeJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 * @throws {TollgateError} `config_invalid` for a value JSON cannot hold (a bigint, a non-finite
 * number, a function, a cycle, more than 32 levels)
 */
export function canonicalizeJson(value: unknown): string {
  return canonicalize(value, 0)
}

function canonicalize(value: unknown, depth: number): string {
  if (depth > 32) throw new TollgateError('config_invalid', 'The JSON value nests more than 32 levels.')
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TollgateError('config_invalid', `The number ${quote(value)} cannot be written as JSON.`)
    }
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalize(item, depth + 1)).join(',')}]`
  if (typeof value === 'object') {
    const members = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalize((value as Record<string, unknown>)[key], depth + 1)}`,
      )
    return `{${members.join(',')}}`
  }
  throw new TollgateError('config_invalid', `A ${typeof value} cannot be written as JSON.`)
}
