import { addressKey } from './address-key.js'

/**
 * Whether two asset or account addresses on `network` are the same: EVM addresses compare
 * case-insensitively, Solana's base58 and others' exactly (see {@link addressKey}).
 *
 * @example sameAddress('eip155:1', '0xAbC…', '0xabc…') // true
 * @example sameAddress('solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp', 'Abc', 'abc') // false
 */
export function sameAddress(network: string, left: string, right: string): boolean {
  return addressKey(network, left) === addressKey(network, right)
}
