// Trimmed from packages/express/test/support/devnet-gate.ts, importing the built @tollgate/core.

import type { PaymentRequirements } from '@tollgate/core'
import { createChainRegistry, createProofMessage, encodePaymentSignatureHeader } from '@tollgate/core'
import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** A registry that knows the devnet's 6-decimal USDC-like token. */
export function devnetRegistry(devnet: Devnet) {
  return createChainRegistry({
    assets: [
      {
        network: devnet.network,
        address: devnet.tokens.usdc.address,
        symbol: 'USDC',
        name: 'USD Coin',
        decimals: 6,
        usdPegged: true,
        eip712: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
      },
    ],
  })
}

/** Sends a USDC transfer the way an agent pays a `tx` requirement, and waits for its receipt. */
export async function transfer(
  devnet: Devnet,
  options: { from: number; to: Address; amount: bigint },
): Promise<{ hash: Hex; blockNumber: bigint }> {
  const wallet = devnet.walletClient(options.from)
  const hash = await wallet.writeContract({
    address: devnet.tokens.usdc.address,
    abi: erc20Abi,
    functionName: 'transfer',
    args: [options.to, options.amount],
    chain: devnet.chain,
    account: wallet.account!,
  })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  return { hash, blockNumber: receipt.blockNumber }
}

/** Signs a proof for `hash` with account `signer` and encodes the PAYMENT-SIGNATURE header. */
export async function proofHeader(
  devnet: Devnet,
  options: { signer: number; requirements: PaymentRequirements; hash: Hex; blockNumber: bigint },
): Promise<string> {
  const account = privateKeyToAccount(devnet.accounts[options.signer]!.privateKey)
  const challenge = options.requirements.extra.challenge as string
  const message = createProofMessage({
    network: options.requirements.network,
    transaction: options.hash,
    challenge,
  })
  return encodePaymentSignatureHeader({
    x402Version: 2,
    accepted: options.requirements,
    payload: {
      transaction: options.hash,
      challenge,
      signature: await account.signMessage({ message }),
      blockNumber: `0x${options.blockNumber.toString(16)}`,
    },
  })
}
