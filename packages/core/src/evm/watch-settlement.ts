import { type Hex, keccak256 } from 'viem'
import type { z } from 'zod'
import type { JsonRpc, JsonRpcCall } from '../rpc/create-json-rpc.js'
import { findConfirmedReceipt } from './find-confirmed-receipt.js'
import { rebroadcastTransaction } from './rebroadcast-transaction.js'
import type { receiptSchema } from './rpc-schemas.js'

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
  const deadline = options.now() + options.timeoutMs
  const state: WatchState = {
    hashes: [options.sent.hash],
    latest: options.sent,
    checkPresence: options.sent.status === 'unknown',
    lastPresence: options.now(),
    pendingSince: options.now(),
    replacements: 0,
    nonceTaken: false,
    seen: false,
    attempt: 0,
  }
  options.onHash(options.sent.hash)
  for (;;) {
    const ended = await pollOnce(options, state)
    if (ended !== undefined) return ended
    await replaceIfStuck(options, state)
    if (state.nonceTaken) continue
    const remaining = deadline - options.now()
    if (remaining <= 0) return { outcome: 'pending', hash: state.latest.hash, hashes: state.hashes }
    // Early polls come quickly (a node that mines on demand is a few milliseconds behind the
    // send), later ones every `pollingMs`.
    const delay = Math.min(options.pollingMs, 2 ** ++state.attempt, remaining)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

type WatchState = {
  hashes: Hex[]
  latest: { hash: Hex; raw: Hex; status: 'sent' | 'unknown' }
  checkPresence: boolean
  lastPresence: number
  pendingSince: number
  replacements: number
  nonceTaken: boolean
  /** True when the last poll found a receipt for any hash. */
  seen: boolean
  attempt: number
}

// One round trip: every hash's receipt, the head when confirmations > 1, and the newest
// transaction's presence when due; re-sends a transaction the node lost.
async function pollOnce(
  options: WatchSettlementOptions,
  state: WatchState,
): Promise<WatchSettlementResult | undefined> {
  const { rpc, now } = options
  const calls: JsonRpcCall[] = state.hashes.map((hash) => ({
    method: 'eth_getTransactionReceipt',
    params: [hash],
  }))
  const headSlot = options.confirmations > 1 ? calls.push({ method: 'eth_blockNumber', params: [] }) - 1 : -1
  const presenceSlot = state.checkPresence
    ? calls.push({ method: 'eth_getTransactionByHash', params: [state.latest.hash] }) - 1
    : -1
  const answers = await rpc.batch(calls).catch(() => undefined)
  state.seen = false
  if (answers !== undefined) {
    const scan = findConfirmedReceipt(answers, state.hashes, headSlot, options.confirmations)
    if (scan.confirmed !== undefined) return { outcome: 'mined', ...scan.confirmed, hashes: state.hashes }
    state.seen = scan.seen
    if (state.nonceTaken && !state.seen)
      return { outcome: 'nonce_taken', hash: state.latest.hash, hashes: state.hashes }
    state.nonceTaken = false
    if (presenceSlot !== -1) {
      state.lastPresence = now()
      if (answers[presenceSlot] === null && !state.seen)
        state.nonceTaken = await rebroadcastTransaction(rpc, state.latest.raw)
    }
  }
  state.checkPresence = now() - state.lastPresence >= options.presenceCheckMs
  return undefined
}

// Replaces a transaction that stayed unmined for `replaceAfterMs` with higher fees (same nonce).
async function replaceIfStuck(options: WatchSettlementOptions, state: WatchState): Promise<void> {
  if (state.seen || state.replacements >= options.maxReplacements) return
  if (options.now() - state.pendingSince < options.replaceAfterMs) return
  const raw = await options.replace(++state.replacements).catch(() => undefined)
  if (raw === undefined) return
  const hash = keccak256(raw)
  state.nonceTaken = await rebroadcastTransaction(options.rpc, raw)
  if (!state.hashes.includes(hash)) state.hashes.push(hash)
  state.latest = { hash, raw, status: 'unknown' }
  options.onHash(hash)
  state.pendingSince = options.now()
  state.checkPresence = true
}
