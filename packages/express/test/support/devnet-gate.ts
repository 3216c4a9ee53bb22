// Copied from packages/core/test/support/devnet-gate.ts, importing the built @tollgate/core.

import type { PaymentRequirements } from '@tollgate/core'
import { createChainRegistry, createProofMessage, encodePaymentSignatureHeader } from '@tollgate/core'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type Address, erc20Abi, type Hex, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** A registry that knows the devnet's two USDC-like tokens. */
export function devnetRegistry(devnet: Devnet) {
  return createChainRegistry({
    assets: [
      {
        network: 'eip155:31337',
        address: devnet.tokens.usdc.address,
        symbol: 'USDC',
        name: 'USD Coin',
        decimals: 6,
        usdPegged: true,
        eip712: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
      },
      {
        network: 'eip155:31337',
        address: devnet.tokens.usdc18.address,
        symbol: 'USDC18',
        name: 'USD Coin (18 decimals)',
        decimals: 18,
        usdPegged: true,
        eip712: { name: devnet.tokens.usdc18.name, version: devnet.tokens.usdc18.version },
      },
    ],
  })
}

export { startDevnet }

/** Sends a transfer the way an agent pays a `tx` requirement (or a deliberately wrong one). */
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
          account: wallet.account!,
        })
      : await wallet.writeContract({
          address: options.token ?? devnet.tokens.usdc.address,
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

export const oneEther = parseEther('1')

/** Token balance of an address. */
export function balanceOf(devnet: Devnet, token: Address, owner: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}
