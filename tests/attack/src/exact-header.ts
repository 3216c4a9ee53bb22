import { encodePaymentSignatureHeader, type PaymentRequirements } from '@tollgate/core'
import { type Address, getAddress, type Hex, toHex } from 'viem'
import type { Payer, World } from './start-world.js'

/** Fields of an EIP-3009 authorization to change, and a domain to sign under. */
export type ExactOverrides = {
  to?: Address
  value?: bigint
  validAfter?: bigint
  validBefore?: bigint
  nonce?: Hex
  domainName?: string
  domainVersion?: string
  chainId?: number
  /** Signs with this payer while `from` stays the original. */
  signer?: Payer
  /** The requirements sent back as `accepted`; default those signed for. */
  accepted?: PaymentRequirements
}

const transferWithAuthorization = {
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
 * Signs an EIP-3009 authorization from `payer` for `requirements` (changed by `overrides`) and
 * encodes it as a `PAYMENT-SIGNATURE` value.
 *
 * @example const value = await exactHeader(world, payer, offer.exact, { value: 1n })
 */
export async function exactHeader(
  world: World,
  payer: Payer,
  requirements: PaymentRequirements,
  overrides: ExactOverrides = {},
): Promise<string> {
  const nowSeconds = BigInt(Math.floor(Date.now() / 1000))
  const message = {
    from: payer.address,
    to: overrides.to ?? getAddress(requirements.payTo),
    value: overrides.value ?? BigInt(requirements.amount),
    validAfter: overrides.validAfter ?? nowSeconds - 60n,
    validBefore: overrides.validBefore ?? nowSeconds + 120n,
    nonce: overrides.nonce ?? toHex(crypto.getRandomValues(new Uint8Array(32))),
  }
  const signature = await (overrides.signer ?? payer).account.signTypedData({
    domain: {
      name: overrides.domainName ?? (requirements.extra.name as string),
      version: overrides.domainVersion ?? (requirements.extra.version as string),
      chainId: overrides.chainId ?? world.devnet.chainId,
      verifyingContract: getAddress(requirements.asset),
    },
    types: transferWithAuthorization,
    primaryType: 'TransferWithAuthorization',
    message,
  })
  const authorization = {
    from: message.from,
    to: message.to,
    value: String(message.value),
    validAfter: String(message.validAfter),
    validBefore: String(message.validBefore),
    nonce: message.nonce,
  }
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: overrides.accepted ?? requirements,
    payload: { signature, authorization },
  })
}
