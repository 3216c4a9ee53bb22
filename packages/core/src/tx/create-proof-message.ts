/** What a `tx` proof signature covers. */
export type CreateProofMessageOptions = {
  /** CAIP-2 network of the transfer. */
  network: string
  /** The transfer's transaction hash (EVM, lowercase 0x-hex) or signature (Solana, base58). */
  transaction: string
  /** The challenge token from `extra.challenge` of the requirements being paid. */
  challenge: string
}

/**
 * Builds the exact text a payer signs to prove it made a transfer: EIP-191 `personal_sign` on EVM,
 * Ed25519 over its UTF-8 bytes on Solana. Binding the gate's challenge and the transaction to the
 * key that paid stops anyone who merely saw the transaction from claiming it.
 *
 * @example
 * createProofMessage({ network: 'eip155:8453', transaction: '0xabc…', challenge: 'eyJ2Ijox…' })
 * // "Tollgate payment proof\nnetwork: eip155:8453\ntransaction: 0xabc…\nchallenge: eyJ2Ijox…"
 */
export function createProofMessage(options: CreateProofMessageOptions): string {
  return `Tollgate payment proof\nnetwork: ${options.network}\ntransaction: ${options.transaction}\nchallenge: ${options.challenge}`
}
