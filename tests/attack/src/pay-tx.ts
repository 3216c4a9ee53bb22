import type { PaymentRequirements } from '@tollgate/core'
import type { Address, Hex } from 'viem'
import { sendTransfer } from './send-transfer.js'
import type { Payer, World } from './start-world.js'
import { txProofHeader } from './tx-proof-header.js'

/**
 * Pays `requirements` with a USDC transfer from `payer` and returns the signed proof header.
 *
 * @example const { header, hash } = await payTx(world, payer, offer.tx)
 */
export async function payTx(
  world: World,
  payer: Payer,
  requirements: PaymentRequirements,
): Promise<{ header: { name: string; value: string }; hash: Hex }> {
  const paid = await sendTransfer(world, payer, {
    to: requirements.payTo as Address,
    amount: BigInt(requirements.amount),
  })
  return { header: await txProofHeader({ requirements, hash: paid.hash, signer: payer }), hash: paid.hash }
}
