import { createProofMessage, encodePaymentSignatureHeader, type PaymentRequirements } from '@tollgate/core'
import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/**
 * Pays a `tx` requirement the way an agent does: an ERC-20 transfer from devnet account `from`,
 * then a proof signed by the same key, encoded as the PAYMENT-SIGNATURE header.
 */
export async function payWithTx(
  devnet: Devnet,
  requirements: PaymentRequirements,
  from = 0,
): Promise<string> {
  const wallet = devnet.walletClient(from)
  const hash = await wallet.writeContract({
    address: requirements.asset as Address,
    abi: erc20Abi,
    functionName: 'transfer',
    args: [requirements.payTo as Address, BigInt(requirements.amount)],
  })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  const challenge = requirements.extra.challenge as string
  const account = privateKeyToAccount(devnet.accounts[from]!.privateKey)
  const signature = await account.signMessage({
    message: createProofMessage({ network: requirements.network, transaction: hash, challenge }),
  })
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: requirements,
    payload: {
      transaction: hash,
      challenge,
      signature,
      blockNumber: `0x${receipt.blockNumber.toString(16)}`,
    },
  })
}
