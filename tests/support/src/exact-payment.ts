import {
  decodeMppChargeRequest,
  encodePaymentCredential,
  encodePaymentSignatureHeader,
  type MppChallenge,
  type PaymentRequirements,
  parseRfc3339,
} from '@tollgate/core'
import { mppChallengeNonce } from '@tollgate/core/evm'
import type { Devnet } from '@tollgate/testkit'
import { type Address, type Hex, type LocalAccount, toHex } from 'viem'

// EIP-3009's typed data, written out here rather than taken from the package under test.
const TRANSFER_WITH_AUTHORIZATION_TYPES = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

type Authorization = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
}

function signAuthorization(
  payer: LocalAccount,
  domain: { name: string; version: string; chainId: number; verifyingContract: Address },
  authorization: Authorization,
): Promise<Hex> {
  return payer.signTypedData({
    domain,
    types: TRANSFER_WITH_AUTHORIZATION_TYPES,
    primaryType: 'TransferWithAuthorization',
    message: authorization,
  })
}

// The authorization's fields as the wire carries them: integers as decimal strings.
function onWire(authorization: Authorization): Record<keyof Authorization, string> {
  return {
    from: authorization.from,
    to: authorization.to,
    value: authorization.value.toString(),
    validAfter: authorization.validAfter.toString(),
    validBefore: authorization.validBefore.toString(),
    nonce: authorization.nonce,
  }
}

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
  const signature = await signAuthorization(
    payer,
    {
      name: requirements.extra.name as string,
      version: requirements.extra.version as string,
      chainId: devnet.chainId,
      verifyingContract: requirements.asset as Address,
    },
    authorization,
  )
  const payload = { signature, authorization: onWire(authorization) }
  return encodePaymentSignatureHeader({ x402Version: 2, accepted: requirements, payload })
}

/**
 * Answers an MPP `charge` challenge of the devnet's USDC the way an MPP client does: an EIP-3009
 * authorization whose nonce is bound to the challenge and whose `validBefore` is its `expires`,
 * encoded as the `Authorization: Payment` value.
 *
 * @example const credential = await mppCredential(devnet, payer, challenge)
 */
export async function mppCredential(
  devnet: Devnet,
  payer: LocalAccount,
  challenge: MppChallenge,
): Promise<string> {
  const request = decodeMppChargeRequest(challenge.request)
  const { usdc } = devnet.tokens
  const authorization = {
    from: payer.address,
    to: request.recipient as Address,
    value: BigInt(request.amount),
    validAfter: 0n,
    validBefore: BigInt(Math.floor((parseRfc3339(challenge.expires) as number) / 1000)),
    nonce: mppChallengeNonce(challenge),
  }
  const signature = await signAuthorization(
    payer,
    { name: usdc.name, version: usdc.version, chainId: devnet.chainId, verifyingContract: usdc.address },
    authorization,
  )
  return encodePaymentCredential({
    challenge,
    payload: { type: 'authorization', ...onWire(authorization), signature },
    source: `did:pkh:eip155:${devnet.chainId}:${payer.address}`,
  })
}
