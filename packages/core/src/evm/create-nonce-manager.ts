import { type Address, type Hex, keccak256 } from 'viem'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc } from '../rpc/create-json-rpc.js'
import { quantitySchema } from './rpc-schemas.js'

/** Options of {@link createNonceManager}. @internal */
export type CreateNonceManagerOptions = {
  /** The node transactions are sent to. */
  rpc: JsonRpc
  /** The account whose nonces are managed. */
  address: Address
}

/** How a send ended. @internal */
export type NonceManagerSendResult = {
  /** Hash of the signed transaction. */
  hash: Hex
  /** The nonce it carries. */
  nonce: number
  /**
   * `sent`: the node accepted it. `unknown`: the request failed in transport, so it may or may not
   * have reached the node; watch for its receipt before concluding anything.
   */
  status: 'sent' | 'unknown'
}

/** Serialises one account's transactions so concurrent sends never share a nonce. @internal */
export type NonceManager = {
  /**
   * Assigns the next nonce, lets `sign` sign a transaction with it and broadcasts it, one send at a
   * time. A node that refuses the transaction for its nonce (another process used it, a stale local
   * count) causes one re-sync from `eth_getTransactionCount(address, 'pending')` and one retry.
   * Throws `settlement_failed` with `details.settled = false` when the transaction was certainly
   * not broadcast.
   */
  send(sign: (nonce: number) => Promise<Hex>): Promise<NonceManagerSendResult>
  /** Forgets the local count: the next send re-syncs from the node (after a lost transaction). */
  resync(): void
}

// Refusals that mean "this nonce is taken or about to be", fixed by re-syncing.
const NONCE_REFUSAL =
  /nonce too low|nonce too high|nonce has already been used|invalid nonce|replacement transaction underpriced|replacement fee too low/i
// The node already has this very transaction: it was broadcast.
const ALREADY_KNOWN = /already known|known transaction|already imported|already exists/i

/**
 * Creates a nonce manager for one sending account. The lock is held while signing and sending
 * (not while waiting for receipts), so the node always sees nonces in order and a refused send
 * never leaves a gap behind it.
 *
 * @example const nonces = createNonceManager({ rpc, address: settler.address })
 * const { hash } = await nonces.send((nonce) => settler.signTransaction({ ...transaction, nonce }))
 * @throws {TollgateError} from `send`: `settlement_failed` (not broadcast), `rpc_unavailable` (nonce sync failed; nothing sent)
 * @internal
 */
export function createNonceManager(options: CreateNonceManagerOptions): NonceManager {
  const { rpc, address } = options
  let next: number | undefined
  let tail: Promise<unknown> = Promise.resolve()

  const sync = async (): Promise<number> => {
    const answer = quantitySchema.safeParse(
      await rpc.request('eth_getTransactionCount', [address, 'pending']),
    )
    if (!answer.success) {
      throw new TollgateError(
        'rpc_unavailable',
        "The RPC node's answer to eth_getTransactionCount is malformed.",
        {
          retryAfter: 2,
        },
      )
    }
    return Number(BigInt(answer.data))
  }

  const attempt = async (
    sign: (nonce: number) => Promise<Hex>,
    retried: boolean,
  ): Promise<NonceManagerSendResult> => {
    next ??= await sync()
    const nonce = next
    let signed: Hex
    try {
      signed = await sign(nonce)
    } catch (error) {
      throw new TollgateError('settlement_failed', 'The settler could not sign the settlement transaction.', {
        cause: error,
        details: { settled: false },
      })
    }
    const hash = keccak256(signed)
    try {
      await rpc.request('eth_sendRawTransaction', [signed])
    } catch (error) {
      const reason = refusalReason(error)
      if (reason === undefined) {
        // Lost in transport: it may be in the pool. The node's pending count will tell.
        next = undefined
        return { hash, nonce, status: 'unknown' }
      }
      if (ALREADY_KNOWN.test(reason)) {
        next = nonce + 1
        return { hash, nonce, status: 'sent' }
      }
      next = undefined
      if (!retried && NONCE_REFUSAL.test(reason)) return attempt(sign, true)
      throw new TollgateError('settlement_failed', `The node refused the settlement transaction: ${reason}`, {
        cause: error,
        details: { settled: false, reason },
      })
    }
    next = nonce + 1
    return { hash, nonce, status: 'sent' }
  }

  return {
    send(sign) {
      const run = tail.then(
        () => attempt(sign, false),
        () => attempt(sign, false),
      )
      tail = run.catch(() => {})
      return run
    },
    resync() {
      next = undefined
    },
  }
}

// A JSON-RPC error answer means the node looked at the transaction and refused it; anything else
// (timeout, connection reset, HTTP error) leaves open whether it arrived.
function refusalReason(error: unknown): string | undefined {
  if (!TollgateError.is(error) || error.details?.method !== 'eth_sendRawTransaction') return undefined
  return String(error.details.rpcMessage ?? '')
}
