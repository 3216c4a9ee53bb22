import { type Hex, keccak256 } from 'viem'
import type { z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc, JsonRpcCall } from '../rpc/create-json-rpc.js'
import { quantitySchema, receiptSchema } from './rpc-schemas.js'

/** A mined receipt. @internal */
export type MinedReceipt = z.infer<typeof receiptSchema>

/** Options of {@link watchSettlement}. @internal */
export type WatchSettlementOptions = {
  /** The node to ask. */
  rpc: JsonRpc
  /** The broadcast transaction; `unknown` when the send failed in transport. */
  sent: { hash: Hex; raw: Hex; status: 'sent' | 'unknown' }
  /** Blocks the transaction needs, counting its own. */
  confirmations: number
  /** Milliseconds between receipt polls (early polls come sooner). */
  pollingMs: number
  /** Milliseconds after which the watch ends with `pending`. */
  timeoutMs: number
  /** Milliseconds between checks that the node still has the transaction; a lost one is sent again. */
  presenceCheckMs: number
  /** Milliseconds a transaction the node holds may stay unmined before it is replaced. */
  replaceAfterMs: number
  /** Most replacements. */
  maxReplacements: number
  /** Signs the same transaction with the same nonce and higher fees (replacement number 1, 2, …). */
  replace: (replacement: number) => Promise<Hex>
  /** Called with each transaction hash this settlement broadcasts, the first included. */
  onHash: (hash: Hex) => void
  /** Clock in milliseconds. */
  now: () => number
}

/** How a watch ended. @internal */
export type WatchSettlementResult =
  | { outcome: 'mined'; hash: Hex; receipt: MinedReceipt; hashes: readonly Hex[] }
  | { outcome: 'pending'; hash: Hex; hashes: readonly Hex[] }
  | { outcome: 'nonce_taken'; hash: Hex; hashes: readonly Hex[] }

const NONCE_TOO_LOW = /nonce too low|nonce has already been used|already been used|invalid nonce/i

/**
 * Watches a settlement transaction until it has `confirmations` blocks, in one round trip per poll:
 * every hash it has had (the first and its replacements) is asked for its receipt, and every
 * `presenceCheckMs` (and at once after a send lost in transport) the node is asked whether it still
 * holds the newest one. A transaction the node does not know is sent again; one it holds unmined for
 * `replaceAfterMs` is replaced with higher fees (same nonce, so at most one of them lands).
 * A node that answers "nonce too low" to a re-send while no hash has a receipt means another
 * transaction took the nonce: the watch ends with `nonce_taken`. Never throws: transient RPC
 * failures are retried until the timeout.
 *
 * @example const watched = await watchSettlement({ rpc, sent, confirmations: 1, pollingMs: 50, timeoutMs: 30_000, ... })
 * @internal
 */
export async function watchSettlement(options: WatchSettlementOptions): Promise<WatchSettlementResult> {
  const { rpc, confirmations, now } = options
  const deadline = now() + options.timeoutMs
  const hashes: Hex[] = [options.sent.hash]
  let latest = options.sent
  let checkPresence = options.sent.status === 'unknown'
  let lastPresence = now()
  let pendingSince = now()
  let replacements = 0
  let nonceTaken = false
  let attempt = 0
  options.onHash(options.sent.hash)

  // Sends again; true when the node says the nonce is used (by whichever transaction).
  const broadcast = async (raw: Hex): Promise<boolean> => {
    try {
      await rpc.request('eth_sendRawTransaction', [raw])
      return false
    } catch (error) {
      const reason = TollgateError.is(error) ? String(error.details?.rpcMessage ?? '') : ''
      return NONCE_TOO_LOW.test(reason)
    }
  }

  for (;;) {
    const calls: JsonRpcCall[] = hashes.map((hash) => ({
      method: 'eth_getTransactionReceipt',
      params: [hash],
    }))
    const headSlot = confirmations > 1 ? calls.push({ method: 'eth_blockNumber', params: [] }) - 1 : -1
    const presenceSlot = checkPresence
      ? calls.push({ method: 'eth_getTransactionByHash', params: [latest.hash] }) - 1
      : -1
    const answers = await rpc.batch(calls).catch(() => undefined)
    let seen = false
    if (answers !== undefined) {
      const head = headSlot === -1 ? undefined : quantitySchema.safeParse(answers[headSlot])
      for (const [index, hash] of hashes.entries()) {
        const receipt = receiptSchema.safeParse(answers[index])
        if (!receipt.success) continue
        seen = true
        const blockNumber = BigInt(receipt.data.blockNumber)
        const tip = head?.success === true ? BigInt(head.data) : blockNumber
        if (tip - blockNumber + 1n >= BigInt(confirmations))
          return { outcome: 'mined', hash, receipt: receipt.data, hashes }
      }
      if (nonceTaken && !seen) return { outcome: 'nonce_taken', hash: latest.hash, hashes }
      nonceTaken = false
      if (presenceSlot !== -1) {
        lastPresence = now()
        if (answers[presenceSlot] === null && !seen) nonceTaken = await broadcast(latest.raw)
      }
    }
    checkPresence = now() - lastPresence >= options.presenceCheckMs
    if (!seen && replacements < options.maxReplacements && now() - pendingSince >= options.replaceAfterMs) {
      const raw = await options.replace(++replacements).catch(() => undefined)
      if (raw !== undefined) {
        const hash = keccak256(raw)
        nonceTaken = await broadcast(raw)
        if (!hashes.includes(hash)) hashes.push(hash)
        latest = { hash, raw, status: 'unknown' }
        options.onHash(hash)
        pendingSince = now()
        checkPresence = true
      }
    }
    if (nonceTaken) continue
    const remaining = deadline - now()
    if (remaining <= 0) return { outcome: 'pending', hash: latest.hash, hashes }
    // Early polls come quickly (a node that mines on demand is a few milliseconds behind the
    // send), later ones every `pollingMs`.
    const delay = Math.min(options.pollingMs, 2 ** ++attempt, remaining)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}
