/**
 * Whether two asset or account addresses on `network` are the same: EVM addresses compare
 * case-insensitively (the checksum is only a typo guard), Solana's and others' exactly.
 *
 * @example sameAddress('eip155:1', '0xAbC…', '0xabc…') // true
 * @internal
 */
export function sameAddress(network: string, left: string, right: string): boolean {
  return network.startsWith('eip155:') ? left.toLowerCase() === right.toLowerCase() : left === right
}
