import { type Address, encodeFunctionData, type Hex, pad, toEventSelector } from 'viem'
import { z } from 'zod'
import type { JsonRpc, JsonRpcCall } from '../rpc/create-json-rpc.js'
import type { ExactSettlementStatus } from '../scheme/types.js'
import { decodeTryCall } from './decode-try-call.js'
import { eip3009Abi } from './eip3009-abi.js'
import { encodeTryCall } from './encode-try-call.js'
import { findTransferLog } from './find-transfer-log.js'
import { quantitySchema, receiptSchema } from './rpc-schemas.js'
import type { MinedReceipt } from './watch-settlement.js'

/** Options of {@link readSettlementStatus}. @internal */
export type ReadSettlementStatusOptions = {
  /** The node to ask. */
  rpc: JsonRpc
  /** The token contract. */
  token: Address
  /** The settler account that sent the transactions. */
  settler: Address
  /** The authorization being settled. */
  authorization: { from: Address; to: Address; value: bigint; validBefore: bigint; nonce: Hex }
  /** Every transaction hash known for this settlement, the one asked about first. */
  hashes: readonly Hex[]
  /** The settler nonce the transactions carry, when known. */
  nonce: number | undefined
  /** Blocks a settlement needs, counting its own. */
  confirmations: number
  /** How many blocks back to look for the authorization's `AuthorizationUsed` event. */
  lookbackBlocks: number
  /** Seconds to tell a caller to wait while pending. */
  retryAfter: number
  /**
   * Called before answering `pending` when the node knows none of the transactions asked about
   * (not mined, not in its pool): say, to broadcast the recorded one again. Default: none.
   */
  onUnknown?: () => Promise<void>
}

const AUTHORIZATION_USED = toEventSelector('AuthorizationUsed(address,bytes32)')
const blockSchema = z.object({ number: quantitySchema, timestamp: quantitySchema })
const transactionSchema = z.object({ nonce: quantitySchema }).nullable()
const logsSchema = z.array(z.object({ transactionHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/) })).max(100)

/**
 * Reads from the chain where an `exact` settlement stands, in one round trip (two when the
 * authorization was used by a transaction this process does not know, such as a replacement sent
 * before a restart or another relayer's, and two before answering that the settler's nonce was
 * taken):
 * - `confirmed`: a transaction with the `Transfer(from, to, value)` of the authorization is mined
 *   with `confirmations` blocks;
 * - `failed` (provably cannot land): the authorization was canceled, its `validBefore` is behind
 *   the latest block's timestamp while unused, or the settler's nonce the transactions carry was
 *   used by a transaction that is not one of them (or all of them reverted);
 * - `pending` otherwise: the transaction may still land; ask again after `retryAfter` seconds.
 *
 * @example const status = await readSettlementStatus({ rpc, token, settler, authorization, hashes: [hash], nonce: 7, confirmations: 1, lookbackBlocks: 10_000, retryAfter: 2 })
 * @throws {TollgateError} `rpc_unavailable` when the node cannot answer
 * @internal
 */
export async function readSettlementStatus(
  options: ReadSettlementStatusOptions,
): Promise<ExactSettlementStatus> {
  const first = await readOnce(options)
  if (first.status !== 'failed' || (first.reason !== 'nonce_taken' && first.reason !== 'reverted'))
    return first
  // The nonce count and the receipts come from one batch, but a node may answer its parts from
  // different moments: a settlement mined between the receipt lookup and the count would read as
  // "nonce taken by another". The count only grows, so a second look, made entirely after the
  // first count, sees our receipt if ours took the nonce. Only the failing path pays this round trip.
  return readOnce(options)
}

async function readOnce(options: ReadSettlementStatusOptions): Promise<ExactSettlementStatus> {
  const { rpc, token, authorization, hashes, confirmations } = options
  const primary = hashes[0] as Hex
  const calls: JsonRpcCall[] = hashes.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] }))
  const stateData = encodeFunctionData({
    abi: eip3009Abi,
    functionName: 'authorizationState',
    args: [authorization.from, authorization.nonce],
  })
  calls.push(
    { method: 'eth_call', params: [{ data: encodeTryCall(token, stateData) }, 'latest'] },
    { method: 'eth_getBlockByNumber', params: ['latest', false] },
    { method: 'eth_getTransactionByHash', params: [primary] },
    { method: 'eth_getTransactionCount', params: [options.settler, 'latest'] },
  )
  const answers = await rpc.batch(calls)
  const [rawState, rawBlock, rawTransaction, rawCount] = answers.slice(hashes.length)
  const block = blockSchema.parse(rawBlock)
  const head = BigInt(block.number)
  const deepEnough = (receipt: MinedReceipt) =>
    head - BigInt(receipt.blockNumber) + 1n >= BigInt(confirmations)

  let reverted = false
  for (const [index, hash] of hashes.entries()) {
    const receipt = receiptSchema.safeParse(answers[index])
    if (!receipt.success) continue
    if (BigInt(receipt.data.status) !== 1n) {
      reverted = true
      continue
    }
    const transfer = findTransferLog(receipt.data, token, authorization)
    if (transfer === undefined) continue
    return deepEnough(receipt.data)
      ? { status: 'confirmed', transaction: hash, payer: authorization.from, ...transfer }
      : { status: 'pending', transaction: hash, retryAfter: options.retryAfter }
  }

  const state = decodeTryCall(rawState, 'authorizationState')
  const used = state.success && BigInt(state.data) !== 0n
  if (used) {
    // Used by a transaction not among ours (a replacement before a restart, another relayer) or canceled.
    const found = await findUse(options, head)
    if (found !== undefined) {
      return deepEnough(found.receipt)
        ? { status: 'confirmed', transaction: found.hash, payer: authorization.from, ...found.transfer }
        : { status: 'pending', transaction: found.hash, retryAfter: options.retryAfter }
    }
    return { status: 'failed', transaction: primary, reason: 'authorization_canceled' }
  }
  if (BigInt(block.timestamp) >= authorization.validBefore)
    return { status: 'failed', transaction: primary, reason: 'expired' }
  return unusedStatus(options, { rawTransaction, rawCount, reverted })
}

/** Where a settlement stands whose authorization is unused and still valid. */
async function unusedStatus(
  options: ReadSettlementStatusOptions,
  answers: { rawTransaction: unknown; rawCount: unknown; reverted: boolean },
): Promise<ExactSettlementStatus> {
  const primary = options.hashes[0] as Hex
  const { reverted } = answers
  const known = transactionSchema.safeParse(answers.rawTransaction)
  const nonce =
    options.nonce ?? (known.success && known.data !== null ? Number(BigInt(known.data.nonce)) : undefined)
  const count = quantitySchema.safeParse(answers.rawCount)
  if (nonce !== undefined && count.success && BigInt(count.data) > BigInt(nonce)) {
    // The nonce is spent on chain and none of our transactions with it carries the transfer.
    return { status: 'failed', transaction: primary, reason: reverted ? 'reverted' : 'nonce_taken' }
  }
  if (options.onUnknown !== undefined && known.success && known.data === null && !reverted) {
    await options.onUnknown()
    // Sent again just now: the next look is the one that can tell.
    return { status: 'pending', transaction: primary, retryAfter: 1 }
  }
  return { status: 'pending', transaction: primary, retryAfter: options.retryAfter }
}

async function findUse(
  options: ReadSettlementStatusOptions,
  head: bigint,
): Promise<{ hash: Hex; receipt: MinedReceipt; transfer: { logIndex?: number } } | undefined> {
  const { rpc, token, authorization } = options
  const fromBlock = head > BigInt(options.lookbackBlocks) ? head - BigInt(options.lookbackBlocks) : 0n
  const logs = logsSchema.parse(
    await rpc.request('eth_getLogs', [
      {
        address: token,
        fromBlock: `0x${fromBlock.toString(16)}`,
        toBlock: 'latest',
        topics: [AUTHORIZATION_USED, pad(authorization.from), authorization.nonce],
      },
    ]),
  )
  const hash = logs[0]?.transactionHash as Hex | undefined
  if (hash === undefined) return undefined
  const receipt = receiptSchema.parse(await rpc.request('eth_getTransactionReceipt', [hash]))
  const transfer = findTransferLog(receipt, token, authorization)
  return transfer === undefined ? undefined : { hash, receipt, transfer }
}
