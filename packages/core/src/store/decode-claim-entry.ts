import type { ClaimEntry } from './types.js'

const ENTRY = /^([fs])\|([^|]*)\|/

/**
 * Decodes a string written by {@link encodeClaimEntry}. Anything else (a bare token written by
 * a v1 store before an upgrade) reads as spent with an empty value: an entry of unknown state
 * never lets a payment through again.
 *
 * @example decodeClaimEntry('s|7|0xabc') // { state: 'spent', token: '7', value: '0xabc' }
 */
export function decodeClaimEntry(raw: string): ClaimEntry {
  const match = ENTRY.exec(raw)
  if (match === null) return { state: 'spent', token: raw, value: '' }
  return {
    state: match[1] === 's' ? 'spent' : 'in_flight',
    token: match[2] as string,
    value: raw.slice(match[0].length),
  }
}
