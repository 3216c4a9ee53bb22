import { encodePaymentSignatureHeader, type PaymentRequirements } from '@tollgate/core'
import type { Devnet } from '@tollgate/testkit'
import { type Address, type LocalAccount, toHex } from 'viem'

/**
 * Signs an EIP-3009 `TransferWithAuthorization` for `requirements` the way an x402 client does
 * (random nonce, `validBefore = now + maxTimeoutSeconds`) and encodes the `PAYMENT-SIGNATURE` header.
 *
 * @example const header = await exactHeader(devnet, payer, requirements)
 */
export async function exactHeader(
  devnet: Devnet,
  payer: LocalAccount,
  requirements: PaymentRequirements,
): Promise<string> {
  const authorization = {
    from: payer.address,
    to: requirements.payTo as Address,
    value: BigInt(requirements.amount),
    validAfter: 0n,
    validBefore: BigInt(Math.floor(Date.now() / 1000) + requirements.maxTimeoutSeconds),
    nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
  }
  const signature = await payer.signTypedData({
    domain: {
      name: requirements.extra.name as string,
      version: requirements.extra.version as string,
      chainId: devnet.chainId,
      verifyingContract: requirements.asset as Address,
    },
    types: {
      TransferWithAuthorization: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'validAfter', type: 'uint256' },
        { name: 'validBefore', type: 'uint256' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'TransferWithAuthorization',
    message: authorization,
  })
  const payload = {
    signature,
    authorization: Object.fromEntries(
      Object.entries(authorization).map(([name, value]) => [name, value.toString()]),
    ),
  }
  return encodePaymentSignatureHeader({ x402Version: 2, accepted: requirements, payload })
}
