import { type Address, type Hex, keccak256 } from 'viem'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc } from '../rpc/create-json-rpc.js'
import { quantitySchema } from './rpc-schemas.js'

/** How settlement transactions are sent. @internal */
export type SendMethod = 'auto' | 'sync' | 'async'

/** Options of {@link createNonceManager}. @internal */
export type CreateNonceManagerOptions = {
  /** The node transactions are sent to. */
  rpc: JsonRpc
  /** The account whose nonces are managed. */
  address: Address
  /**
   * `sync`: `eth_sendRawTransactionSync` (EIP-7966), which answers with the receipt in the same
   * round trip. `async`: `eth_sendRawTransaction`. `auto`: sync, falling back to async for good
   * the first time the node does not know the method. Default `auto`.
   */
  sendMethod?: SendMethod
  /**
   * Milliseconds a sync send holds the account's lock before the next send may go (a node
   * validates a transaction before it waits for its block, so a refusal comes back sooner).
   * Default 5.
   */
  syncHoldMs?: number
  /** Milliseconds to wait for a sync send's receipt before watching for it instead. Default 2000. */
  syncWaitMs?: number
}

/** How a send ended. @internal */
export type NonceManagerSendResult = {
  /** Hash of the signed transaction. */
  hash: Hex
  /** The nonce it carries. */
  nonce: number
  /** The signed transaction, to broadcast again if the node loses it. */
  raw: Hex
  /**
   * `sent`: the node accepted it. `unknown`: the request failed in transport, so it may or may not
   * have reached the node; watch for its receipt before concluding anything.
   */
  status: 'sent' | 'unknown'
  /** The receipt, when a sync send answered with it (unparsed node answer). */
  receipt?: unknown
}

/** Serialises one account's transactions so concurrent sends never share a nonce. @internal */
export type NonceManager = {
  /**
   * Assigns the next nonce, lets `sign` sign a transaction with it and broadcasts it, one send at a
   * time. A node that refuses the transaction for its nonce (another process used it, a stale local
   * count) causes one re-sync from `eth_getTransactionCount(address, 'pending')` and one retry.
   * Throws with `details.settled = false` when the transaction was certainly not broadcast.
   */
  send(sign: (nonce: number) => Promise<Hex>): Promise<NonceManagerSendResult>
  /** Whether the next send needs the node's pending count (ask for it in another batch, then `seed`). */
  readonly needsCount: boolean
  /** Sets the local count from a pending transaction count read elsewhere, unless one is known. */
  seed(count: unknown): void
  /** Forgets the local count: the next send re-syncs from the node. */
  resync(): void
}

// Refusals that mean "this nonce is taken or about to be", fixed by re-syncing.
const NONCE_REFUSAL =
  /nonce too low|nonce too high|nonce has already been used|invalid nonce|replacement transaction underpriced|replacement fee too low/i
// The node already has this very transaction: it was broadcast.
const ALREADY_KNOWN = /already known|known transaction|already imported|already exists/i
// A sync send whose block did not come in time: the transaction is in the pool.
const SYNC_TIMEOUT = /timeout|timed out/i
// The node does not offer eth_sendRawTransactionSync.
const NO_SYNC = /method not found|not supported|unsupported|does not exist|not available|unknown method/i
const NO_GAS = /insufficient funds/i

/**
 * Creates a nonce manager for one sending account. The lock is held while signing and sending
 * (not while waiting for receipts), so the node always sees nonces in order and a refused send
 * never leaves a gap behind it. A sync send holds the lock for `syncHoldMs` at most: the node has
 * validated the transaction by then, and the next one may queue behind it.
 *
 * @example const nonces = createNonceManager({ rpc, address: settler.address })
 * const { hash } = await nonces.send((nonce) => settler.signTransaction({ ...transaction, nonce }))
 * @throws {TollgateError} from `send`: `settlement_failed` (not broadcast), `settler_unfunded` (no gas,
 * not broadcast), `rpc_unavailable` (nonce sync failed; nothing sent)
 * @internal
 */
export function createNonceManager(options: CreateNonceManagerOptions): NonceManager {
  const { rpc, address } = options
  const syncHoldMs = options.syncHoldMs ?? 5
  const syncWaitMs = options.syncWaitMs ?? 2000
  let method = options.sendMethod ?? 'auto'
  let next: number | undefined
  let tail: Promise<unknown> = Promise.resolve()

  const sync = async (): Promise<number> => {
    const answer = await rpc.request('eth_getTransactionCount', [address, 'pending'])
    const count = quantitySchema.safeParse(answer)
    if (!count.success) {
      throw new TollgateError(
        'rpc_unavailable',
        "The RPC node's answer to eth_getTransactionCount is malformed.",
        {
          retryAfter: 2,
        },
      )
    }
    return Number(BigInt(count.data))
  }

  // Sends once; undefined means the node does not know eth_sendRawTransactionSync.
  const transmit = async (
    signed: Hex,
    hash: Hex,
    nonce: number,
  ): Promise<NonceManagerSendResult | undefined> => {
    const viaSync = method !== 'async'
    try {
      const answer = viaSync
        ? await rpc.request('eth_sendRawTransactionSync', [signed], AbortSignal.timeout(syncWaitMs))
        : await rpc.request('eth_sendRawTransaction', [signed])
      return { hash, nonce, raw: signed, status: 'sent', ...(viaSync ? { receipt: answer } : {}) }
    } catch (error) {
      const reason = refusalReason(error)
      if (reason === undefined) return { hash, nonce, raw: signed, status: 'unknown' }
      if (viaSync && method === 'auto' && (isMethodMissing(error) || NO_SYNC.test(reason))) {
        method = 'async'
        return undefined
      }
      if (ALREADY_KNOWN.test(reason) || (viaSync && SYNC_TIMEOUT.test(reason)))
        return { hash, nonce, raw: signed, status: 'sent' }
      throw Object.assign(new Error(reason), { refusal: reason, cause: error })
    }
  }

  const attempt = async (
    sign: (nonce: number) => Promise<Hex>,
    retried: boolean,
    sent: () => void,
  ): Promise<NonceManagerSendResult> => {
    next ??= await sync()
    const nonce = next
    let signed: Hex
    try {
      signed = await sign(nonce)
    } catch (error) {
      // A refusal that says nothing was sent (say, the settlement could not be recorded) is kept as is.
      if (TollgateError.is(error) && error.details?.settled === false) throw error
      throw new TollgateError('settlement_failed', 'The settler could not sign the settlement transaction.', {
        cause: error,
        details: { settled: false },
      })
    }
    const hash = keccak256(signed)
    // Counted as used before the answer: a sync send lets the next one go before it answers.
    next = nonce + 1
    const hold = method === 'async' ? undefined : setTimeout(sent, syncHoldMs)
    try {
      const result = (await transmit(signed, hash, nonce)) ?? (await transmit(signed, hash, nonce))
      return result as NonceManagerSendResult
    } catch (error) {
      const reason = (error as { refusal?: string }).refusal ?? ''
      // Re-read the pending count: a refusal after the lock was released may leave a gap behind
      // sends that went out meanwhile, and the next send must fill it.
      next = undefined
      if (NO_GAS.test(reason)) {
        throw new TollgateError('settler_unfunded', `The settler ${address} cannot pay for gas: ${reason}`, {
          retryAfter: 60,
          details: { settled: false, settler: address, reason },
        })
      }
      if (!retried && NONCE_REFUSAL.test(reason)) {
        clearTimeout(hold)
        // Awaited, so the lock is kept through the re-sync: a send let go now would read the same
        // count and take the same nonce (the retry's own hold lets it go once that is out).
        return await attempt(sign, true, sent)
      }
      throw new TollgateError('settlement_failed', `The node refused the settlement transaction: ${reason}`, {
        cause: (error as { cause?: unknown }).cause,
        details: { settled: false, reason },
      })
    } finally {
      clearTimeout(hold)
      sent()
    }
  }

  return {
    send(sign) {
      let release = () => {}
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      const run = tail.then(
        () => attempt(sign, false, release),
        () => attempt(sign, false, release),
      )
      // Whatever happens, the next send waits only until this one is out of the door.
      tail = Promise.race([
        released,
        run.then(
          () => {},
          () => {},
        ),
      ])
      return run
    },
    get needsCount() {
      return next === undefined
    },
    seed(count) {
      const parsed = quantitySchema.safeParse(count)
      if (next === undefined && parsed.success) next = Number(BigInt(parsed.data))
    },
    resync() {
      next = undefined
    },
  }
}

// A JSON-RPC error answer means the node looked at the transaction and refused it; anything else
// (timeout, connection reset, HTTP error) leaves open whether it arrived.
function refusalReason(error: unknown): string | undefined {
  if (!TollgateError.is(error)) return undefined
  const method = error.details?.method
  if (method !== 'eth_sendRawTransaction' && method !== 'eth_sendRawTransactionSync') return undefined
  return String(error.details?.rpcMessage ?? '')
}

function isMethodMissing(error: unknown): boolean {
  return TollgateError.is(error) && error.details?.rpcCode === -32601
}
