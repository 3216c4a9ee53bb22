/**
 * The form of an address that equal addresses share on `network`: EVM addresses lowercased (their
 * checksum casing is only a typo guard), Solana's base58 and every other family's kept exactly,
 * because their case is part of the value.
 *
 * @example addressKey('eip155:8453', '0xAbC…') // '0xabc…'
 * @example addressKey('solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp', 'So1ana…') // 'So1ana…'
 */
export function addressKey(network: string, address: string): string {
  return network.startsWith('eip155:') ? address.toLowerCase() : address
}
