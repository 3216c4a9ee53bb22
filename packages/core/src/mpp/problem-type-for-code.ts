import { MPP_PROBLEM_BASE } from './types.js'

// The draft's problem types for the codes a gate answers a credential with; the rest failed verification.
const PROBLEMS: Readonly<Record<string, string>> = {
  payment_required: 'payment-required',
  mpp_credential_malformed: 'malformed-credential',
  header_malformed: 'malformed-credential',
  header_too_large: 'malformed-credential',
  invalid_payload: 'malformed-credential',
  mpp_challenge_invalid: 'invalid-challenge',
  mpp_challenge_mismatch: 'invalid-challenge',
  payment_already_used: 'invalid-challenge',
  mpp_challenge_expired: 'payment-expired',
  invalid_exact_evm_payload_authorization_valid_before: 'payment-expired',
  invalid_exact_evm_payload_authorization_valid_after: 'payment-expired',
  mpp_method_unsupported: 'method-unsupported',
  unsupported_scheme: 'method-unsupported',
  invalid_exact_evm_payload_authorization_value_mismatch: 'payment-insufficient',
}

/**
 * The draft's problem type URI (RFC 9457 `type`) for a Tollgate error code, so a 402 body is both
 * Tollgate's `{ error, message }` and a problem details object.
 *
 * @example problemTypeForCode('mpp_challenge_expired') // 'https://paymentauth.org/problems/payment-expired'
 */
export function problemTypeForCode(code: string): string {
  return `${MPP_PROBLEM_BASE}${PROBLEMS[code] ?? 'verification-failed'}`
}
