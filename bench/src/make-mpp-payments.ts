import {
  decodeMppChargeRequest,
  encodePaymentCredential,
  parsePaymentChallenges,
  parseRfc3339,
} from '@tollgate/core'
import { mppChallengeNonce } from '@tollgate/core/evm'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Options of {@link makeMppPayments}. */
export type MakeMppPaymentsOptions = {
  /** The paid route; each payment answers a challenge of its own 402. */
  url: string
  /** Keys of the paying accounts; payment `i` is signed by `payerKeys[i % payerKeys.length]`. */
  payerKeys: readonly Hex[]
  chainId: number
  /** The token's EIP-712 domain, which the MPP request does not carry (an MPP client is configured with it). */
  domain: { name: string; version: string }
  count: number
}

const TRANSFER_WITH_AUTHORIZATION = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const

/**
 * Makes `count` MPP credentials (`Authorization: Payment …`) the way an MPP client pays: one 402
 * per payment, its first `Payment` challenge answered by an EIP-3009 authorization whose nonce is
 * bound to the challenge and whose `validBefore` is the challenge's `expires`. Payers take turns.
 * Nothing touches the chain until the gate settles them.
 *
 * @example const headers = await makeMppPayments({ url, payerKeys, chainId: 31337, domain, count: 200 })
 */
export async function makeMppPayments(options: MakeMppPaymentsOptions): Promise<string[]> {
  const accounts = options.payerKeys.map((key) => privateKeyToAccount(key))
  const headers: string[] = []
  for (let index = 0; index < options.count; index++) {
    const account = accounts[index % accounts.length]!
    const response = await fetch(options.url)
    await response.arrayBuffer()
    const [challenge] = parsePaymentChallenges(response.headers.get('www-authenticate') ?? '').challenges
    if (response.status !== 402 || challenge === undefined) {
      throw new Error(
        `${options.url} answered ${response.status} without a Payment challenge; expected a 402.`,
      )
    }
    const request = decodeMppChargeRequest(challenge.request)
    const authorization = {
      from: account.address,
      to: request.recipient as Address,
      value: BigInt(request.amount),
      validAfter: 0n,
      validBefore: BigInt(Math.floor(parseRfc3339(challenge.expires)! / 1000)),
      nonce: mppChallengeNonce(challenge),
    }
    const signature = await account.signTypedData({
      domain: { ...options.domain, chainId: options.chainId, verifyingContract: request.currency as Address },
      types: { TransferWithAuthorization: TRANSFER_WITH_AUTHORIZATION },
      primaryType: 'TransferWithAuthorization',
      message: authorization,
    })
    headers.push(
      encodePaymentCredential({
        challenge,
        payload: {
          type: 'authorization',
          ...authorization,
          value: authorization.value.toString(),
          validAfter: '0',
          validBefore: authorization.validBefore.toString(),
          signature,
        },
        source: `did:pkh:eip155:${options.chainId}:${account.address}`,
      }),
    )
  }
  return headers
}
