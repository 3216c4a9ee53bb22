import { type Address, getAddress, type Hex } from 'viem'
import type { AssetInfo } from '../chains/types.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { hashTransferWithAuthorization } from './hash-transfer-with-authorization.js'
import type { ExactPayload } from './parse-exact-payload.js'

/** Options of {@link checkExactAuthorization}. @internal */
export type CheckExactAuthorizationOptions = {
  /** The parsed payload. */
  payload: ExactPayload
  /** The requirements the authorization must satisfy. */
  requirements: PaymentRequirements
  /** The asset being paid; its address must be the requirements' asset. */
  asset: AssetInfo
  /** The chain the scheme settles on. */
  chainId: number
  /** The current time, unix seconds. */
  nowSeconds: number
  /** Tolerated clock difference with the payer, seconds. */
  clockSkewSeconds: number
}

/** What {@link checkExactAuthorization} derives: the EIP-712 digest the payer must have signed. @internal */
export type CheckExactAuthorizationResult = {
  /** The token contract (checksummed). */
  token: Address
  /** The EIP-712 hash of the `TransferWithAuthorization` under the requirements' domain. */
  digest: Hex
}

/** Seconds a settlement needs to land before `validBefore` (x402's block-time buffer). @internal */
export const VALID_BEFORE_BUFFER_SECONDS = 6

/** @internal */
export const transferWithAuthorizationTypes = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

/**
 * The offline checks of an `exact` authorization against requirements, in this order:
 * requirements (scheme, network, asset, EIP-712 domain), recipient, value (exact equality),
 * `validAfter <= now`, `validBefore >= now + 6 s`, and `validBefore <= now + maxTimeoutSeconds + skew`
 * (an authorization may not outlive the payment window it was made for). Returns the digest to check
 * the signature against.
 *
 * @example const { digest } = checkExactAuthorization({ payload, requirements, asset, chainId: 8453, nowSeconds, clockSkewSeconds: 30 })
 * @throws {TollgateError} `invalid_payment_requirements`, `invalid_network`, `invalid_exact_evm_missing_eip712_domain`,
 * `invalid_exact_evm_payload_recipient_mismatch`, `invalid_exact_evm_payload_authorization_value_mismatch`,
 * `invalid_exact_evm_payload_authorization_valid_after`, `invalid_exact_evm_payload_authorization_valid_before`,
 * `invalid_exact_evm_payload_authorization_validity_span`
 * @internal
 */
export function checkExactAuthorization(
  options: CheckExactAuthorizationOptions,
): CheckExactAuthorizationResult {
  const { requirements, chainId, nowSeconds } = options
  const { authorization } = options.payload
  if (requirements.scheme !== 'exact') {
    throw new TollgateError(
      'invalid_payment_requirements',
      `The requirements are for scheme ${quote(requirements.scheme)}, not "exact".`,
    )
  }
  if (requirements.network !== `eip155:${chainId}`) {
    throw new TollgateError(
      'invalid_network',
      `The requirements are for ${quote(requirements.network)}; this scheme settles on eip155:${chainId}.`,
    )
  }
  if (
    !/^0x[0-9a-fA-F]{40}$/.test(requirements.asset) ||
    requirements.asset.toLowerCase() !== options.asset.address.toLowerCase()
  ) {
    throw new TollgateError(
      'invalid_payment_requirements',
      `The requirements' asset ${quote(requirements.asset)} is not the asset being paid.`,
    )
  }
  const { name, version } = requirements.extra
  if (!isDomainField(name) || !isDomainField(version)) {
    throw new TollgateError(
      'invalid_exact_evm_missing_eip712_domain',
      'The requirements lack the EIP-712 domain (extra.name and extra.version).',
    )
  }
  if (
    !/^0x[0-9a-fA-F]{40}$/.test(requirements.payTo) ||
    authorization.to !== getAddress(requirements.payTo)
  ) {
    throw new TollgateError(
      'invalid_exact_evm_payload_recipient_mismatch',
      `The authorization pays ${authorization.to}, not ${quote(requirements.payTo)}.`,
      { details: { expected: requirements.payTo, actual: authorization.to } },
    )
  }
  if (authorization.value.toString() !== requirements.amount) {
    throw new TollgateError(
      'invalid_exact_evm_payload_authorization_value_mismatch',
      `The authorization transfers ${authorization.value} atomic units; exactly ${quote(requirements.amount)} are required.`,
      { details: { expected: requirements.amount, actual: authorization.value } },
    )
  }
  const now = BigInt(nowSeconds)
  if (authorization.validAfter > now) {
    throw new TollgateError(
      'invalid_exact_evm_payload_authorization_valid_after',
      `The authorization is not valid before ${authorization.validAfter}; it is now ${nowSeconds}.`,
      { details: { validAfter: authorization.validAfter, now: nowSeconds } },
    )
  }
  if (authorization.validBefore < now + BigInt(VALID_BEFORE_BUFFER_SECONDS)) {
    throw new TollgateError(
      'invalid_exact_evm_payload_authorization_valid_before',
      `The authorization expires at ${authorization.validBefore}, too soon to settle (now ${nowSeconds}).`,
      { details: { validBefore: authorization.validBefore, now: nowSeconds } },
    )
  }
  const latest = now + BigInt(requirements.maxTimeoutSeconds + options.clockSkewSeconds)
  if (authorization.validBefore > latest) {
    throw new TollgateError(
      'invalid_exact_evm_payload_authorization_validity_span',
      `The authorization stays valid until ${authorization.validBefore}, beyond the ${requirements.maxTimeoutSeconds} s payment window.`,
      { details: { validBefore: authorization.validBefore, latest } },
    )
  }
  const token = getAddress(requirements.asset)
  const digest = hashTransferWithAuthorization(
    { name, version, chainId, verifyingContract: token },
    authorization,
  )
  return { token, digest }
}

function isDomainField(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256
}
