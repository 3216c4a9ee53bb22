import type { ClaimEntry } from './types.js'

/**
 * Encodes a claim as the one string a store keeps under its key: `f|<token>|<value>` in flight,
 * `s|<token>|<value>` spent. Tokens never contain `|`; the value may. A store that writes this
 * format can answer a claim's state and value in the same atomic read that found it held.
 *
 * @example encodeClaimEntry({ state: 'in_flight', token: '7', value: '' }) // 'f|7|'
 */
export function encodeClaimEntry(entry: ClaimEntry): string {
  return `${entry.state === 'spent' ? 's' : 'f'}|${entry.token}|${entry.value}`
}
