import { type Address, createWalletClient, erc20Abi, type Hex, http } from 'viem'
import type { Payer, World } from './start-world.js'

/** Options of {@link sendTransfer}. */
export type TransferOptions = {
  to: Address
  amount: bigint
  /** Token address, or `'native'` for ether; default the devnet USDC. */
  token?: Address | 'native'
  /** Sends with a fixed gas limit so a failing transfer is mined as reverted. */
  forceGas?: boolean
}

/**
 * Sends a transfer from `payer` straight to anvil (not through the proxy) and waits for its receipt.
 *
 * @example const paid = await sendTransfer(world, payer, { to: payTo, amount: 1_000n })
 * @throws {Error} when the node refuses the transaction
 */
export async function sendTransfer(
  world: World,
  payer: Payer,
  options: TransferOptions,
): Promise<{ hash: Hex; blockNumber: bigint; status: 'success' | 'reverted' }> {
  const wallet = createWalletClient({
    account: payer.account,
    chain: world.devnet.chain,
    transport: http(world.devnet.rpcUrl),
  })
  const gas = options.forceGas ? { gas: 100_000n } : {}
  const hash =
    options.token === 'native'
      ? await wallet.sendTransaction({ to: options.to, value: options.amount, ...gas })
      : await wallet.writeContract({
          address: options.token ?? world.usdc,
          abi: erc20Abi,
          functionName: 'transfer',
          args: [options.to, options.amount],
          ...gas,
        })
  const receipt = await world.devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  return { hash, blockNumber: receipt.blockNumber, status: receipt.status }
}
