// Codes after which the same transfer or authorization can never be credited: resending it only
// fails again, so a new payment is the only way forward. Anything else (not yet confirmed, RPC
// down, challenge expired) leaves the proof reusable, since paying again could pay twice.
const FINAL_REJECTIONS: ReadonlySet<string> = new Set([
  'payment_already_used',
  'verify_tx_failed',
  'verify_recipient_mismatch',
  'verify_amount_insufficient',
  'verify_asset_mismatch',
  'verify_chain_mismatch',
  'verify_outside_window',
  'verify_payer_mismatch',
  'invalid_exact_evm_nonce_already_used',
  'invalid_exact_evm_payload_signature',
  'invalid_exact_evm_payload_recipient_mismatch',
  'invalid_exact_evm_payload_authorization_value_mismatch',
  'invalid_exact_evm_payload_authorization_valid_before',
  'invalid_exact_evm_payload_authorization_validity_span',
  'invalid_exact_evm_token_name_mismatch',
  'invalid_exact_evm_token_version_mismatch',
])

/**
 * Whether a server's rejection code means the payment proof can never be credited, so the ledger
 * stops offering it for reuse. Codes that may clear on retry (`verify_unconfirmed`,
 * `verify_tx_not_found`, `rpc_unavailable`, `challenge_expired`, …) are not final.
 *
 * @example isFinalRejection('payment_already_used') // true
 * @example isFinalRejection('verify_unconfirmed') // false
 */
export function isFinalRejection(code: string): boolean {
  return FINAL_REJECTIONS.has(code)
}
