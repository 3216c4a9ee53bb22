import type { Devnet } from '@tollgate/testkit'
import { type Address, erc20Abi, parseAbiItem } from 'viem'

/** Token balance of `owner`, in atomic units. */
export function balanceOf(devnet: Devnet, token: Address, owner: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}

/** Balance of `owner` in the devnet's USDC, in atomic units. */
export function usdcBalance(devnet: Devnet, owner: Address): Promise<bigint> {
  return balanceOf(devnet, devnet.tokens.usdc.address, owner)
}

/** The amounts of the devnet-USDC transfers from `from` to `to` that are on chain: what was really paid. */
export async function transfersOnChain(devnet: Devnet, from: Address, to: Address): Promise<bigint[]> {
  const logs = await devnet.publicClient.getLogs({
    address: devnet.tokens.usdc.address,
    event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
    args: { from, to },
    fromBlock: 0n,
  })
  return logs.map((log) => log.args.value as bigint)
}
