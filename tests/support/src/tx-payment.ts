import { createProofMessage, encodePaymentSignatureHeader, type PaymentRequirements } from '@tollgate/core'
import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/**
 * Sends a transfer the way an agent pays a `tx` requirement (or a deliberately wrong one): of the
 * devnet's USDC unless `token` names another token or `'native'`, and waits for its receipt.
 *
 * @example const paid = await transfer(devnet, { from: 1, to: payTo, amount: 1_000n })
 */
export async function transfer(
  devnet: Devnet,
  options: { from: number; to: Address; amount: bigint; token?: Address | 'native' },
): Promise<{ hash: Hex; blockNumber: bigint }> {
  const wallet = devnet.walletClient(options.from)
  const hash =
    options.token === 'native'
      ? await wallet.sendTransaction({
          to: options.to,
          value: options.amount,
          chain: devnet.chain,
          account: wallet.account,
        })
      : await wallet.writeContract({
          address: options.token ?? devnet.tokens.usdc.address,
          abi: erc20Abi,
          functionName: 'transfer',
          args: [options.to, options.amount],
          chain: devnet.chain,
          account: wallet.account,
        })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  return { hash, blockNumber: receipt.blockNumber }
}

/**
 * Signs a proof for `hash` with devnet account `signer`, over the requirements' challenge unless
 * `challenge` is given, and encodes the PAYMENT-SIGNATURE header.
 *
 * @example const header = await proofHeader(devnet, { signer: 1, requirements, hash: paid.hash })
 */
export async function proofHeader(
  devnet: Devnet,
  options: {
    signer: number
    requirements: PaymentRequirements
    hash: Hex
    blockNumber?: bigint
    challenge?: string
  },
): Promise<string> {
  const account = privateKeyToAccount(devnet.accounts[options.signer]!.privateKey)
  const challenge = options.challenge ?? (options.requirements.extra.challenge as string)
  const message = createProofMessage({
    network: options.requirements.network,
    transaction: options.hash,
    challenge,
  })
  const signature = await account.signMessage({ message })
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: options.requirements,
    payload: {
      transaction: options.hash,
      challenge,
      signature,
      ...(options.blockNumber === undefined ? {} : { blockNumber: `0x${options.blockNumber.toString(16)}` }),
    },
  })
}

/**
 * Pays a `tx` requirement the way an agent does: a transfer of its asset and amount to its payee
 * from devnet account `from`, then a proof signed by the same key, as the PAYMENT-SIGNATURE header.
 *
 * @example const header = await payWithTx(devnet, requirements, 1)
 */
export async function payWithTx(
  devnet: Devnet,
  requirements: PaymentRequirements,
  from = 0,
): Promise<string> {
  const paid = await transfer(devnet, {
    from,
    to: requirements.payTo as Address,
    amount: BigInt(requirements.amount),
    token: requirements.asset as Address,
  })
  return proofHeader(devnet, { signer: from, requirements, hash: paid.hash, blockNumber: paid.blockNumber })
}
