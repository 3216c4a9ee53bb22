import { type Address, getAddress, type Hex } from 'viem'
import { z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'

/** An EIP-3009 `TransferWithAuthorization`, as numbers and checksummed addresses. @internal */
export type ExactAuthorization = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
}

/** A parsed x402 `exact` EVM payload. @internal */
export type ExactPayload = {
  /** ECDSA (65 bytes) or smart-wallet (ERC-1271) signature bytes. */
  signature: Hex
  authorization: ExactAuthorization
}

const MAX_UINT256 = 2n ** 256n - 1n
// Smart-wallet signatures (WebAuthn, multisig) run to a few hundred bytes; the bound keeps
// one payload from costing the node more than a normal call.
const MAX_SIGNATURE_BYTES = 4096

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
const uint256 = z
  .string()
  .regex(/^(0|[1-9]\d{0,77})$/, 'must be a canonical decimal integer string')
  .transform((value) => BigInt(value))
  .refine((value) => value <= MAX_UINT256, 'must fit in uint256')

const payloadSchema = z.strictObject({
  signature: z
    .string()
    .regex(/^0x(?:[0-9a-fA-F]{2})+$/, 'must be 0x-prefixed hex bytes')
    .max(2 + 2 * MAX_SIGNATURE_BYTES),
  authorization: z.strictObject({
    from: address,
    to: address,
    value: uint256,
    validAfter: uint256,
    validBefore: uint256,
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes of 0x-prefixed hex'),
  }),
})

/**
 * Parses an x402 `exact` EVM payload `{ signature, authorization }` strictly: unknown keys,
 * non-canonical numbers and malformed hex are refused. Offline.
 *
 * @example const { authorization, signature } = parseExactPayload(paymentPayload.payload)
 * @throws {TollgateError} `invalid_payload`
 * @internal
 */
export function parseExactPayload(payload: unknown): ExactPayload {
  const result = payloadSchema.safeParse(payload)
  if (!result.success) {
    const issue = result.error.issues[0]
    const path = issue?.path.join('.') || 'payload'
    throw new TollgateError(
      'invalid_payload',
      `The exact payload is malformed: ${path} ${issue?.message ?? 'is invalid'}.`,
      { details: { field: path } },
    )
  }
  const { signature, authorization } = result.data
  return {
    signature: signature.toLowerCase() as Hex,
    authorization: {
      from: getAddress(authorization.from),
      to: getAddress(authorization.to),
      value: authorization.value,
      validAfter: authorization.validAfter,
      validBefore: authorization.validBefore,
      nonce: authorization.nonce.toLowerCase() as Hex,
    },
  }
}
