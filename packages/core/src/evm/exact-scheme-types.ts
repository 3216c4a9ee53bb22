import type { Account, Address } from 'viem'
import type { JsonRpc } from '../rpc/create-json-rpc.js'
import type { ExactScheme, ExactSettlementQuery, ExactSettlementStatus } from '../scheme/types.js'

/** How an `exact` scheme settles, shared by `createEvmExactScheme` and `evmNetwork({ exact })`. */
export type EvmExactSchemeSettings = {
  /**
   * The account that sends `transferWithAuthorization` and pays its gas: a viem `LocalAccount`
   * (`privateKeyToAccount`) or any account with `signTransaction` (a KMS or HSM signer). It needs
   * native coin for gas, and should send nothing else while the scheme runs (its nonces are managed
   * here).
   */
  settler: Account
  /** Blocks a settlement needs, counting its own, before the request is served. Default 1. */
  confirmations?: number
  /** Milliseconds between receipt polls. Default 50 (viem's default of 4 s would dominate latency). */
  receiptPollingMs?: number
  /**
   * Milliseconds to wait for a settlement's receipt before answering `settlement_pending` (the
   * transaction may still land; `settlementStatus` tells later). Default 30000.
   */
  receiptTimeoutMs?: number
  /**
   * Milliseconds between checks that the node still holds an unmined settlement; one it lost is sent
   * again. A send lost in transport is checked at once. Default 1000.
   */
  presenceCheckMs?: number
  /** Milliseconds an unmined settlement waits before it is replaced with higher fees (same nonce). Default 10000. */
  replaceAfterMs?: number
  /** Most fee replacements per settlement. Default 3. */
  maxReplacements?: number
  /**
   * How settlements are sent: `sync` (`eth_sendRawTransactionSync`, EIP-7966: the receipt comes with
   * the answer), `async` (`eth_sendRawTransaction`, then receipt polls), or `auto` (sync, falling back to
   * async for good when the node does not offer it). Default `auto`.
   */
  sendMethod?: 'auto' | 'sync' | 'async'
  /**
   * Milliseconds for which `verify`'s simulation stands in for one at `settle`, when no settlement of
   * the same payer was broadcast since: the settlement is then one round trip instead of two. The
   * price: a payer who moves its funds (or uses the authorization elsewhere) while the handler runs
   * makes the settler broadcast a transfer that reverts, and pay its gas. Default 0 (always simulate
   * again right before the send).
   */
  simulationMaxAgeMs?: number
  /**
   * Settlements of different payers that wait for the settler's turn together go in one
   * transaction: a call of Multicall3's `aggregate3` (at `multicall`, default its address on
   * Ethereum, Polygon, Base, Arbitrum, BNB Chain and most chains), each payer's transfer allowed to
   * fail alone. One signature, one send and one block serve all of them; a settlement waiting alone
   * goes as its own transaction. Used only once the node has code at that address. `maxSize`: most
   * settlements in one transaction (default 16). `maxWaitMs`: while other settlements are being
   * prepared (simulated) to send, the next transaction waits for them, at most this long (default
   * 20; a settlement with none on its way never waits). `false`: every settlement alone.
   */
  batchSettlements?: false | { multicall?: Address; maxSize?: number; maxWaitMs?: number }
  /** Blocks `settlementStatus` looks back for the authorization's use by an unknown transaction. Default 10000. */
  statusLookbackBlocks?: number
  /** Seconds a `settlement_pending` answer tells the caller to wait. Default 2. */
  pendingRetryAfterSeconds?: number
  /** Simulate `transferWithAuthorization` from the settler during `verify`. Default true. */
  simulate?: boolean
  /** Tolerated clock difference with payers, in seconds, for the authorization lifetime bound. Default 30. */
  clockSkewSeconds?: number
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** Options of `createEvmExactScheme`. */
export type CreateEvmExactSchemeOptions = EvmExactSchemeSettings & {
  /** The EVM chain id this scheme verifies and settles on (`eip155:<chainId>`). */
  chainId: number
} & (
    | {
        /** A JSON-RPC client of a node of this chain (shares its round-trip counter). */
        rpc: JsonRpc
        rpcUrl?: never
      }
    | {
        /** The JSON-RPC endpoint of a node of this chain. */
        rpcUrl: string
        rpc?: never
      }
  )

/** An `exact` scheme that settles itself; `signers` lists the settler for a facilitator's `/supported`. */
export type EvmExactScheme = ExactScheme & {
  /** The settler's address. */
  readonly signers: readonly Address[]
  /** Where a settlement stands, read from the chain (see {@link ExactScheme.settlementStatus}). */
  settlementStatus(query: ExactSettlementQuery): Promise<ExactSettlementStatus>
  /** `settle` reports every signed settlement before it broadcasts it. */
  readonly reportsSigned: true
}
