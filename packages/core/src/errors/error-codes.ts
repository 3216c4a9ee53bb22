/**
 * Every stable error code Tollgate emits, with the HTTP status a gate answers it with.
 *
 * Codes that appear in 402 bodies are public API: adding one is a minor change, renaming or
 * removing one is breaking. Where x402 defines a reason code for the same failure, its name is used.
 */
export const errorStatus = {
  // Amounts and prices: configuration and client input.
  amount_invalid: 400,
  amount_precision_exceeded: 400,
  amount_out_of_range: 400,
  price_invalid: 400,
  asset_unknown: 400,
  network_unknown: 400,
  config_invalid: 500,

  // The x402 wire: malformed input is 400, a payment the gate does not accept is 402.
  header_too_large: 400,
  header_malformed: 400,
  invalid_payload: 400,
  invalid_payment_requirements: 400,
  invalid_x402_version: 400,
  unsupported_scheme: 402,
  invalid_network: 402,
  requirements_mismatch: 402,
  route_not_found: 404,
  // The request itself: a Host the gate cannot build an origin from, a requester that left.
  host_invalid: 400,
  request_aborted: 499,
  // The handler failed before answering: the payment was not consumed and can be sent again.
  service_failed: 500,

  // The MPP wire (HTTP `Payment` auth scheme). A gate answers every credential failure with 402
  // and fresh challenges, as the draft asks; the two malformed-header codes come from the paying
  // side reading a server's answer.
  mpp_credential_malformed: 402,
  mpp_method_unsupported: 402,
  mpp_challenge_invalid: 402,
  mpp_challenge_expired: 402,
  mpp_challenge_mismatch: 402,
  mpp_challenge_malformed: 502,
  mpp_receipt_malformed: 502,

  // Passes.
  pass_malformed: 400,
  pass_signature_invalid: 402,
  pass_key_unknown: 402,
  pass_expired: 402,
  pass_not_yet_valid: 402,
  pass_scope_mismatch: 402,
  pass_revoked: 402,
  pass_uses_exhausted: 402,

  // Challenges of the `tx` scheme.
  challenge_malformed: 400,
  challenge_invalid: 402,
  challenge_expired: 402,
  challenge_mismatch: 402,

  // Verification of a `tx` proof.
  verify_tx_not_found: 402,
  verify_tx_failed: 402,
  verify_unconfirmed: 402,
  verify_recipient_mismatch: 402,
  verify_amount_insufficient: 402,
  verify_asset_mismatch: 402,
  verify_chain_mismatch: 402,
  verify_outside_window: 402,
  verify_payer_mismatch: 402,
  verify_signature_invalid: 402,
  // The transfer was an EIP-3009 (`exact`) payment: it is sold through `exact` only.
  verify_authorization_transfer: 402,
  payment_already_used: 402,
  payment_in_progress: 409,
  // x402's `payment-identifier` extension: a malformed identifier, a missing required one, and one
  // already bound to another payment (another payer, or another signed payload).
  payment_identifier_invalid: 400,
  payment_identifier_required: 400,
  payment_identifier_conflict: 409,

  // Verification and settlement of an x402 `exact` authorization (x402's reason codes).
  invalid_exact_evm_payload_signature: 402,
  invalid_exact_evm_payload_recipient_mismatch: 402,
  invalid_exact_evm_payload_authorization_valid_after: 402,
  invalid_exact_evm_payload_authorization_valid_before: 402,
  invalid_exact_evm_payload_authorization_value_mismatch: 402,
  invalid_exact_evm_payload_authorization_validity_span: 402,
  invalid_exact_evm_payload_undeployed_smart_wallet: 402,
  invalid_exact_evm_nonce_already_used: 402,
  invalid_exact_evm_token_name_mismatch: 402,
  invalid_exact_evm_token_version_mismatch: 402,
  invalid_exact_evm_transaction_simulation_failed: 402,
  invalid_exact_evm_transaction_failed: 402,
  invalid_exact_evm_transfer_event_mismatch: 402,
  invalid_exact_evm_eip3009_not_supported: 402,
  invalid_exact_evm_missing_eip712_domain: 400,
  insufficient_funds: 402,
  settlement_failed: 402,
  // Broadcast but not confirmed in time: it may still land. Retry with the same payment; the
  // answer carries the transaction hash (`details.transaction`) and `Retry-After`.
  settlement_pending: 503,
  // The settler account cannot pay gas: nothing was broadcast, retry later.
  settler_unfunded: 503,
  facilitator_error: 502,

  // Transient failures: the gate fails closed and asks the client to come back.
  rpc_unavailable: 503,
  store_unavailable: 503,
  rate_limited: 429,
  internal_error: 500,

  // The paying client and its spending policy (never sent by a gate).
  policy_denied_domain: 402,
  policy_budget_exceeded: 402,
  policy_per_call_exceeded: 402,
  policy_approval_declined: 402,
  policy_rate_limited: 402,
  policy_wallet_expired: 402,
  policy_network_denied: 402,
  policy_asset_denied: 402,
  no_payable_option: 402,
  payment_rejected: 402,
  payment_failed: 402,
  price_changed: 402,
  price_above_limit: 402,
  pay_to_changed: 402,
  retry_limit_exceeded: 402,
  wallet_insufficient_funds: 402,
  wallet_unavailable: 402,
  // The client's payment ledger cannot be read or written (I/O failure or a corrupt record).
  ledger_unavailable: 500,
  // Another process (or another ledger object in this one) writes the same ledger file.
  ledger_locked: 500,
  response_invalid: 502,
} as const satisfies Record<string, number>

/** A stable, snake_case error code. Branch on this, never on `message`. */
export type TollgateErrorCode = keyof typeof errorStatus
