import type { Hex } from 'viem'
import type { z } from 'zod'
import type { JsonRpc, JsonRpcCall } from '../rpc/create-json-rpc.js'
import { quantitySchema, receiptSchema } from './rpc-schemas.js'

/** Options of {@link waitForReceipt}. @internal */
export type WaitForReceiptOptions = {
  /** The node to ask. */
  rpc: JsonRpc
  /** The transaction. */
  hash: Hex
  /** Blocks the transaction needs, counting its own. */
  confirmations: number
  /** Milliseconds between polls. */
  pollingMs: number
  /** Milliseconds after which to give up. */
  timeoutMs: number
  /** Clock in milliseconds. */
  now: () => number
}

/** A mined receipt. @internal */
export type MinedReceipt = z.infer<typeof receiptSchema>

/**
 * Polls for a transaction's receipt: right away, then after 2, 4, 8… milliseconds up to every
 * `pollingMs` until it has `confirmations` blocks, in one round trip per poll.
 * Transient RPC failures are retried until the timeout. Returns undefined on timeout.
 *
 * @example const receipt = await waitForReceipt({ rpc, hash, confirmations: 1, pollingMs: 50, timeoutMs: 60_000, now: Date.now })
 * @internal
 */
export async function waitForReceipt(options: WaitForReceiptOptions): Promise<MinedReceipt | undefined> {
  const { rpc, hash, confirmations } = options
  const deadline = options.now() + options.timeoutMs
  const calls: JsonRpcCall[] = [{ method: 'eth_getTransactionReceipt', params: [hash] }]
  if (confirmations > 1) calls.push({ method: 'eth_blockNumber', params: [] })
  let attempt = 0
  for (;;) {
    try {
      const [rawReceipt, rawHead] = await rpc.batch(calls)
      if (rawReceipt !== null && rawReceipt !== undefined) {
        const receipt = receiptSchema.safeParse(rawReceipt)
        const head = confirmations > 1 ? quantitySchema.safeParse(rawHead) : undefined
        if (receipt.success && (head === undefined || head.success)) {
          const blockNumber = BigInt(receipt.data.blockNumber)
          const mined = head?.data === undefined ? blockNumber : BigInt(head.data)
          if (mined - blockNumber + 1n >= BigInt(confirmations)) return receipt.data
        }
      }
    } catch {
      // A flaky node is retried: the transaction is out there whatever the node says now.
    }
    const remaining = deadline - options.now()
    if (remaining <= 0) return undefined
    // Early polls come quickly (a node that mines on demand is a few milliseconds behind the
    // send), later ones every `pollingMs`.
    const delay = Math.min(options.pollingMs, 2 ** ++attempt, remaining)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}
