import type { Devnet } from '@tollgate/testkit'
import type { Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'

/**
 * Fresh payer accounts holding plenty of devnet USDC (an `exact` or MPP payer needs no gas).
 *
 * @example const payerKeys = await fundPayers(devnet, 10)
 */
export async function fundPayers(devnet: Devnet, count: number): Promise<Hex[]> {
  const keys = Array.from({ length: count }, () => generatePrivateKey())
  for (const key of keys) await devnet.mint('usdc', privateKeyToAccount(key).address, 1_000_000_000_000n)
  return keys
}
