import { getBase58Encoder } from '@solana/kit'
import { BASE58 } from './solana-programs.js'

/**
 * Decodes a base58 string of exactly `length` bytes in canonical form, or returns undefined.
 * Bounded: strings longer than base58 needs for `length` bytes are refused before decoding.
 * @internal
 */
export function decodeBase58Bytes(value: unknown, length: number): Uint8Array<ArrayBuffer> | undefined {
  // log(256) / log(58) ≈ 1.366 characters per byte.
  if (typeof value !== 'string' || value.length === 0 || value.length > Math.ceil(length * 1.37))
    return undefined
  if (!BASE58.test(value)) return undefined
  try {
    const bytes = new Uint8Array(getBase58Encoder().encode(value))
    return bytes.length === length ? bytes : undefined
  } catch {
    return undefined
  }
}
