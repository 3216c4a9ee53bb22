import { type Address, decodeEventLog, type Hex } from 'viem'
import { eip3009Abi } from './eip3009-abi.js'
import type { MinedReceipt } from './watch-settlement.js'

/**
 * Finds the `Transfer(from, to, value)` log of `token` in a receipt: undefined when there is none,
 * else its `logIndex` (absent when the node omits it).
 *
 * @example const transfer = findTransferLog(receipt, token, { from, to, value })
 * @internal
 */
export function findTransferLog(
  receipt: MinedReceipt,
  token: Address,
  authorization: { from: Address; to: Address; value: bigint },
): { logIndex?: number } | undefined {
  for (const log of receipt.logs) {
    if (log.removed === true || log.address.toLowerCase() !== token.toLowerCase()) continue
    try {
      const event = decodeEventLog({
        abi: eip3009Abi,
        eventName: 'Transfer',
        data: log.data as Hex,
        topics: log.topics as [Hex, ...Hex[]],
      })
      if (
        event.args.from === authorization.from &&
        event.args.to === authorization.to &&
        event.args.value === authorization.value
      )
        return log.logIndex === undefined || log.logIndex === null
          ? {}
          : { logIndex: Number(BigInt(log.logIndex)) }
    } catch {
      // Not a Transfer of this token.
    }
  }
  return undefined
}
