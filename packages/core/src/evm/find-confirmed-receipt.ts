import type { Hex } from 'viem'
import { quantitySchema, receiptSchema } from './rpc-schemas.js'
import type { MinedReceipt } from './watch-settlement.js'

/** What {@link findConfirmedReceipt} found in one poll. @internal */
export type ConfirmedReceiptScan = {
  /** True when any of the hashes has a receipt, confirmed or not. */
  seen: boolean
  /** The first hash whose receipt has enough confirmations, with that receipt. */
  confirmed?: { hash: Hex; receipt: MinedReceipt }
}

/**
 * Scans one poll's answers: `answers[index]` is the receipt of `hashes[index]` (or null), and
 * `answers[headSlot]` the node's head block when `headSlot` is not -1 (without it, a receipt
 * counts as its own only confirmation).
 *
 * @example const scan = findConfirmedReceipt(answers, hashes, -1, 1)
 * @internal
 */
export function findConfirmedReceipt(
  answers: readonly unknown[],
  hashes: readonly Hex[],
  headSlot: number,
  confirmations: number,
): ConfirmedReceiptScan {
  const head = headSlot === -1 ? undefined : quantitySchema.safeParse(answers[headSlot])
  let seen = false
  for (const [index, hash] of hashes.entries()) {
    const receipt = receiptSchema.safeParse(answers[index])
    if (!receipt.success) continue
    seen = true
    const blockNumber = BigInt(receipt.data.blockNumber)
    const tip = head?.success === true ? BigInt(head.data) : blockNumber
    if (tip - blockNumber + 1n >= BigInt(confirmations))
      return { seen, confirmed: { hash, receipt: receipt.data } }
  }
  return { seen }
}
