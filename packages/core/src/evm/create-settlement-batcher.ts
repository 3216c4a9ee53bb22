import { type Address, encodeFunctionData, type Hex, keccak256, type TransactionSerializable } from 'viem'
import type { JsonRpc } from '../rpc/create-json-rpc.js'
import type { NonceManager, NonceManagerSendResult } from './create-nonce-manager.js'

/** Multicall3's address on Ethereum, Polygon, Base, Arbitrum, BNB Chain and most other chains. @internal */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11'

const aggregate3Abi = [
  {
    type: 'function',
    name: 'aggregate3',
    stateMutability: 'payable',
    inputs: [
      {
        name: 'calls',
        type: 'tuple[]',
        components: [
          { name: 'target', type: 'address' },
          { name: 'allowFailure', type: 'bool' },
          { name: 'callData', type: 'bytes' },
        ],
      },
    ],
    outputs: [
      {
        name: 'returnData',
        type: 'tuple[]',
        components: [
          { name: 'success', type: 'bool' },
          { name: 'returnData', type: 'bytes' },
        ],
      },
    ],
  },
] as const

/** One settlement waiting for a transaction: its own call, and the record of each signed version. @internal */
export type BatchMember = {
  /** The settlement's own transaction (a call of the token), without a nonce. */
  transaction: TransactionSerializable
  /** Records a signed transaction that carries this settlement, before it is broadcast. */
  onSigned: (signed: { transaction: Hex; raw: Hex }) => Promise<void>
}

/** A broadcast transaction and the members it carries. @internal */
export type SentBatch = {
  sent: NonceManagerSendResult
  /** How many settlements the transaction carries (1: the member's own transaction). */
  size: number
  /** Every hash the transaction has had (its replacements'), shared by its members. */
  hashes: Hex[]
  /** Signs the same calls with the same nonce and fees raised for replacement `bump`, recording it for every member first. */
  replace: (bump: number) => Promise<Hex>
  /** Runs `watch` once for all members: the first member's call starts it, the others share its result. */
  once<T>(watch: () => Promise<T>): Promise<T>
}

/** Options of {@link createSettlementBatcher}. @internal */
export type CreateSettlementBatcherOptions = {
  rpc: JsonRpc
  nonces: NonceManager
  signTransaction: (transaction: TransactionSerializable) => Promise<Hex>
  /** Raises a transaction's fees for replacement `bump` (0: unchanged). */
  bumpFees: (transaction: TransactionSerializable, bump: number) => TransactionSerializable
  /** The `aggregate3` contract, or undefined to send every settlement alone. */
  multicall: Address | undefined
  /** Most settlements in one transaction. */
  maxSize: number
  /** Most milliseconds a transaction waits for announced settlements still being prepared. */
  maxWaitMs: number
}

/** Sends settlements, several in one transaction when they wait for the same turn. @internal */
export type SettlementBatcher = {
  /**
   * Says a settlement is on its way (its transaction is being prepared): the next transaction
   * waits for it, up to `maxWaitMs`. Call `send` with the returned ticket, or `cancel` it when the
   * settlement stops before sending.
   */
  announce(): { cancel(): void }
  /**
   * Sends `member` in the next transaction of the settler: alone when it is the only one waiting,
   * else with the others waiting, as `aggregate3` calls each allowed to fail on its own. Rejects
   * with the error of its record (nothing of it was broadcast) or of the send.
   */
  send(member: BatchMember, ticket?: { cancel(): void }): Promise<SentBatch>
}

type Waiting = { member: BatchMember; resolve: (sent: SentBatch) => void; reject: (error: unknown) => void }

/**
 * Creates a settlement batcher over the settler's nonce manager. Settlements that arrive while
 * the settler's previous transaction is being signed and sent wait together, and go in one
 * transaction to `aggregate3` (one signature, one send, one block for all of them); one waiting
 * alone goes as its own transaction, exactly as without a batcher. Before a transaction is
 * broadcast, every member records it (ARCHITECTURE.md G8); a member whose record fails is left out
 * and the others are signed again with the same nonce, so nothing broadcast carries a settlement
 * that was not recorded. The contract is used once the node has code at its address (asked once).
 *
 * @example const batcher = createSettlementBatcher({ rpc, nonces, signTransaction, bumpFees, multicall: MULTICALL3_ADDRESS, maxSize: 16 })
 * const { sent, size } = await batcher.send({ transaction, onSigned })
 * @internal
 */
export function createSettlementBatcher(options: CreateSettlementBatcherOptions): SettlementBatcher {
  const { nonces, maxSize } = options
  const queue: Waiting[] = []
  let scheduled = false
  // Settlements announced and not sent (nor cancelled) yet, and who waits for them.
  let preparing = 0
  let arrived: (() => void) | undefined
  const arrive = (): void => {
    preparing--
    arrived?.()
  }
  // Until every announced settlement arrived, the batch is full, or `maxWaitMs` passed.
  const awaitAnnounced = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (preparing === 0 || queue.length >= maxSize) {
        resolve()
        return
      }
      const done = () => {
        clearTimeout(timer)
        arrived = undefined
        resolve()
      }
      const timer = setTimeout(done, options.maxWaitMs)
      arrived = () => {
        if (preparing === 0 || queue.length >= maxSize) done()
      }
    })
  // Whether the node has the contract: asked the first time a batch of two or more forms.
  let present: Promise<boolean> | undefined

  const hasContract = (): Promise<boolean> => {
    const { multicall } = options
    if (multicall === undefined) return Promise.resolve(false)
    present ??= options.rpc.request('eth_getCode', [multicall, 'latest']).then(
      (code) => typeof code === 'string' && code.length > 2,
      () => {
        present = undefined // Asked again next time.
        return false
      },
    )
    return present
  }

  const flush = async (): Promise<void> => {
    let members: Waiting[] | undefined
    // The members are taken when the settler's turn comes (so those arriving meanwhile join), and
    // kept if the nonce manager signs again after a nonce refusal.
    const take = async (): Promise<Waiting[]> => {
      if (members !== undefined) return members
      // Only a transaction that can carry them waits for those on their way.
      if (preparing > 0 && queue.length < maxSize && (await hasContract())) await awaitAnnounced()
      members = takeWaiting()
      if (members.length > 1 && !(await hasContract())) members = requeueAllButFirst(members)
      return members
    }
    // Signs the members' calls and has each record the result; a member whose record fails leaves
    // the batch, and the rest are signed again.
    const sign = async (nonce: number, bump: number, dropOnFailure: boolean): Promise<Hex> => {
      for (;;) {
        const current = members as Waiting[]
        const raw = await options.signTransaction(
          options.bumpFees({ ...transactionOf(options, current), nonce }, bump),
        )
        const transaction = keccak256(raw)
        const recorded = await Promise.allSettled(
          current.map((entry) => entry.member.onSigned({ transaction, raw })),
        )
        const failed = current.filter((_, index) => recorded[index]?.status === 'rejected')
        if (failed.length === 0) return raw
        // A replacement must not leave anyone out: the transaction it replaces may still land.
        if (!dropOnFailure || failed.length === current.length) {
          throw (recorded.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason
        }
        for (const entry of failed) {
          const index = current.indexOf(entry)
          entry.reject((recorded[index] as PromiseRejectedResult).reason)
        }
        members = current.filter((entry) => !failed.includes(entry))
      }
    }
    try {
      const sent = await nonces.send(async (nonce) => {
        await take()
        return sign(nonce, 0, true)
      })
      const carried = members as Waiting[]
      let watched: Promise<unknown> | undefined
      const batch: SentBatch = {
        sent,
        size: carried.length,
        hashes: [],
        replace: (bump) => sign(sent.nonce, bump, false),
        once: <T>(watch: () => Promise<T>) => {
          watched ??= watch()
          return watched as Promise<T>
        },
      }
      for (const entry of carried) entry.resolve(batch)
    } catch (error) {
      // Failed before signing (the settler's nonce could not be read): those waiting fail with it.
      for (const entry of members ?? takeWaiting()) entry.reject(error)
    }
  }

  // The members of the next transaction, taken from the queue; later arrivals wait for another.
  const takeWaiting = (): Waiting[] => {
    scheduled = false
    const taken = queue.splice(0, maxSize)
    if (queue.length > 0) schedule()
    return taken
  }

  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    void flush()
  }

  // Without the contract, one goes now and the others wait for the next turn, each alone.
  const requeueAllButFirst = (taken: Waiting[]): Waiting[] => {
    queue.unshift(...taken.slice(1))
    schedule()
    return taken.slice(0, 1)
  }

  return {
    announce() {
      preparing++
      let open = true
      return {
        cancel() {
          if (!open) return
          open = false
          arrive()
        },
      }
    },
    send(member, ticket) {
      return new Promise<SentBatch>((resolve, reject) => {
        queue.push({ member, resolve, reject })
        schedule()
        ticket?.cancel()
      })
    },
  }
}

// One member: its own transaction. Several: one call of `aggregate3`, each member's call allowed to
// fail alone, with the gas of all of theirs (each counts a transaction's base cost, which the
// contract's overhead per call stays well under) and the highest fees among them.
function transactionOf(
  options: CreateSettlementBatcherOptions,
  members: readonly Waiting[],
): TransactionSerializable {
  const first = (members[0] as Waiting).member.transaction
  if (members.length === 1) return first
  const transactions = members.map((entry) => entry.member.transaction)
  const highest = (pick: (transaction: TransactionSerializable) => bigint | undefined) =>
    transactions.reduce<bigint | undefined>((top, transaction) => {
      const value = pick(transaction)
      return value === undefined ? top : top === undefined || value > top ? value : top
    }, undefined)
  const fees =
    first.type === 'eip1559' || first.maxFeePerGas !== undefined
      ? {
          maxFeePerGas: highest((transaction) => transaction.maxFeePerGas),
          maxPriorityFeePerGas: highest((transaction) => transaction.maxPriorityFeePerGas),
        }
      : { gasPrice: highest((transaction) => (transaction as { gasPrice?: bigint }).gasPrice) }
  return {
    ...first,
    ...fees,
    to: options.multicall as Address,
    data: encodeFunctionData({
      abi: aggregate3Abi,
      functionName: 'aggregate3',
      args: [
        transactions.map((transaction) => ({
          target: transaction.to as Address,
          allowFailure: true,
          callData: transaction.data as Hex,
        })),
      ],
    }),
    gas: transactions.reduce((sum, transaction) => sum + (transaction.gas ?? 0n), 0n),
  } as TransactionSerializable
}
