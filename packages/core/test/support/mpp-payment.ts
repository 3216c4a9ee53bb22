import type { Devnet } from '@tollgate/testkit'
import type { Address, Hex, LocalAccount } from 'viem'
import { mppChallengeNonce } from '../../src/evm/mpp-challenge-nonce.js'
import { decodeMppChargeRequest } from '../../src/mpp/decode-mpp-charge-request.js'
import { encodePaymentCredential } from '../../src/mpp/encode-payment-credential.js'
import { parsePaymentChallenges } from '../../src/mpp/parse-payment-challenges.js'
import { parseRfc3339 } from '../../src/mpp/parse-rfc3339.js'
import type { MppChallenge } from '../../src/mpp/types.js'

/** The `Payment` challenges of a 402. */
export function challengesOf(response: Response): MppChallenge[] {
  return parsePaymentChallenges(response.headers.get('WWW-Authenticate') ?? '').challenges
}

/**
 * Signs the EIP-3009 authorization an MPP `charge` challenge asks for, as an MPP client does
 * (nonce bound to the challenge, `validBefore` = `expires`), and returns it with the
 * `Authorization: Payment` value.
 */
export async function payChallenge(options: {
  devnet: Devnet
  signer: LocalAccount
  challenge: MppChallenge
  /** Overrides of the signed fields. */
  authorization?: Partial<{ nonce: Hex; value: bigint; to: Address }>
}): Promise<{ header: string; signature: Hex; authorization: Record<string, string> }> {
  const { devnet, signer, challenge } = options
  const request = decodeMppChargeRequest(challenge.request)
  const token = Object.values(devnet.tokens).find(
    (entry) => entry.address.toLowerCase() === request.currency.toLowerCase(),
  )!
  const fields = {
    from: signer.address,
    to: request.recipient as Address,
    value: BigInt(request.amount),
    validAfter: 0n,
    validBefore: BigInt(Math.floor(parseRfc3339(challenge.expires)! / 1000)),
    nonce: mppChallengeNonce(challenge),
    ...options.authorization,
  }
  const signature = await signer.signTypedData({
    domain: {
      name: token.name,
      version: token.version,
      chainId: devnet.chainId,
      verifyingContract: token.address,
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
    message: fields,
  })
  const authorization = {
    from: fields.from,
    to: fields.to,
    value: fields.value.toString(),
    validAfter: fields.validAfter.toString(),
    validBefore: fields.validBefore.toString(),
    nonce: fields.nonce,
  }
  const header = encodePaymentCredential({
    challenge,
    payload: { type: 'authorization', ...authorization, signature },
    source: `did:pkh:eip155:${devnet.chainId}:${signer.address}`,
  })
  return { header, signature, authorization }
}
