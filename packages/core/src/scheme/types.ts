// Plug-in contracts: what a chain package implements so the gate can accept payments on it.
import type { AssetInfo, Network } from '../chains/types.js'
import type { PaymentRequirements } from '../protocol/types.js'

/** The input of {@link TxVerifier.verifyTransfer}. */
export type VerifyTransferInput = {
  /** Canonical transaction id from {@link TxVerifier.parseTransaction}. */
  transaction: string
  /** The payer's signature over `message`, as sent in the payload. */
  signature: string
  /** The exact proof message (see `createProofMessage`). */
  message: string
  /** The asset that must have been transferred. */
  asset: AssetInfo
  /** The recipient that must have been credited. */
  payTo: string
  /** The least amount, in atomic units, that must have been credited. */
  amount: bigint
  /** Blocks the transfer needs, counting its own block. */
  confirmations: number
  /** Earliest acceptable block time, unix seconds. */
  notBefore: number
  /** Latest acceptable block time, unix seconds. */
  notAfter: number
  /** Untrusted lookup hints from the payload, such as `blockNumber`; verified before use. */
  hints: Readonly<Record<string, unknown>>
  /** Aborts RPC calls. */
  signal?: AbortSignal
}

/** A verified transfer. */
export type VerifiedTransfer = {
  /** The address that paid and signed the proof. */
  payer: string
  /** Atomic units credited to `payTo` by the payer in this transaction. */
  amount: bigint
  /** Block time, unix seconds. */
  blockTime: number
  /**
   * Where in the transaction each credit to `payTo` from the payer sits (an EVM log index such as
   * `"3"`, `"native"` for a plain value transfer, a Solana instruction index). The gate claims each
   * as `onchain:<network>:<transaction>:<id>`, the payment's identity across every scheme. Default:
   * none, and only the transaction itself is claimed.
   */
  transferIds?: readonly string[]
}

/** The input of {@link TxVerifier.recoverSigner}. */
export type RecoverSignerInput = {
  /** Canonical transaction id from {@link TxVerifier.parseTransaction}. */
  transaction: string
  /** The payer's signature over `message`, as sent in the payload. */
  signature: string
  /** The exact proof message (see `createProofMessage`). */
  message: string
  /** Untrusted hints from the payload (say, the payer's public key where it cannot be recovered). */
  hints: Readonly<Record<string, unknown>>
}

/**
 * Verifies `tx` proofs on one network. Chain packages implement it; the gate does the rest
 * (challenge, claim, release, receipt).
 */
export type TxVerifier = {
  readonly specificationVersion: 'v1'
  /** The canonical form of a transaction id from a payload, or undefined when malformed. Offline. */
  parseTransaction(value: unknown): string | undefined
  /** Checks the transfer on chain. Throws TollgateError `verify_*` codes, `rpc_unavailable` when the chain cannot answer. */
  verifyTransfer(input: VerifyTransferInput): Promise<VerifiedTransfer>
  /**
   * Offline, before any RPC: who signed the proof (an address or public key, in the form
   * `verifyTransfer` reports payers), or `undefined` when that cannot be known without the chain.
   * The gate claims the proof per signer first, so a proof signed by a stranger never holds the
   * payer's claim. Throws `verify_signature_invalid` for a signature that cannot be the payer's.
   * Optional: without it the gate claims per signature.
   */
  recoverSigner?(input: RecoverSignerInput): Promise<string | undefined>
}

/** The input of the {@link ExactScheme} methods. */
export type ExactInput = {
  /** The scheme payload (`{ signature, authorization }`). */
  payload: Readonly<Record<string, unknown>>
  /** The requirements this gate offered and the payer accepted. */
  requirements: PaymentRequirements
  /** The asset being paid. */
  asset: AssetInfo
  /** Aborts RPC calls. */
  signal?: AbortSignal
}

/** Verifies and settles x402 `exact` payments on one network, itself or through a facilitator. */
export type ExactScheme = {
  readonly specificationVersion: 'v1'
  /** The `extra` to offer for an asset, or undefined when the asset cannot be paid this way. */
  extra(asset: AssetInfo): Record<string, unknown> | undefined
  /** Offline: the payer and a key unique to this authorization (for the replay claim). Throws `invalid_payload`. */
  identify(input: ExactInput): { payer: string; key: string; validBefore: number }
  /**
   * Checks signature, amounts, times, nonce, balance; throws x402 reason codes. A scheme may hold
   * the verified value against the payer's balance until the authorization is settled, abandoned
   * or expires, so concurrent authorizations of one payer cannot together exceed its balance.
   */
  verify(input: ExactInput): Promise<{ payer: string }>
  /**
   * Tells the scheme a verified authorization will not be settled (the handler failed, the
   * requester left, the settlement provably did not happen): it drops what `verify` held for it, so
   * the payer's balance is free at once. Must not throw. Optional: without it, holds lapse by themselves.
   */
  abandon?(input: ExactInput): void
  /**
   * Submits the transfer and waits for it. Resolves once it is confirmed (`logIndex`: the
   * `Transfer` log's index in its block, when known: the gate then claims the payment's on-chain
   * identity too). Throws `settlement_pending` (retryable, with `retryAfter` and
   * `details.transaction`) when it was broadcast but is not confirmed in time: it may still land,
   * so keep the claim and ask {@link ExactScheme.settlementStatus} later. Throws with
   * `details.settled === false` only when the transfer provably did not and cannot happen (then
   * the authorization may be tried again); any other failure leaves the outcome open.
   */
  settle(
    input: ExactInput,
    hooks?: ExactSettleHooks,
  ): Promise<{ transaction: string; payer: string; logIndex?: number }>
  /**
   * Whether `settle` calls `hooks.onSigned` before every broadcast. A gate then keeps the
   * authorization's claim on a short lease until the settlement is recorded; without it, the claim
   * is held for the whole acceptance window while `settle` runs, since nothing would tell a
   * restarted gate which transaction may be landing. Default `false`.
   */
  readonly reportsSigned?: boolean
  /**
   * Where a settlement that answered `settlement_pending` stands now, read from the chain:
   * `confirmed` (serve the kept response), `pending` (answer again with `Retry-After`) or `failed`
   * (provably cannot land: release the claim). Optional; schemes without it leave pending
   * settlements to expire with the authorization.
   */
  settlementStatus?(query: ExactSettlementQuery): Promise<ExactSettlementStatus>
}

/** The second argument of {@link ExactScheme.settle}. */
export type ExactSettleHooks = {
  /**
   * Called with each signed settlement transaction (the first and any replacement) *before* it
   * is broadcast, and awaited: the caller records it durably, so whoever asks later (another gate
   * instance, this one after a restart) finds the transaction even when the process dies during
   * the send. A rejection stops the settlement before that broadcast; `settle` then throws it
   * (with `details.settled === false` when the rejection says so and nothing was broadcast yet).
   */
  onSigned?(signed: {
    /** The signed transaction's hash. */
    transaction: string
    /** The signed transaction, serialised (for an EVM chain, the RLP hex), to broadcast again. */
    raw: string
  }): Promise<void>
}

/** The query of {@link ExactScheme.settlementStatus}. */
export type ExactSettlementQuery = {
  input: ExactInput
  /** The settlement transaction asked about. */
  transaction: string
  /**
   * The signed transaction as `onSigned` reported it. When the node does not know the transaction
   * (the process that signed it died before or during the send) and it can still land, the scheme
   * broadcasts it again (same hash: at most one of them exists). Default: none.
   */
  raw?: string
}

/** Where an `exact` settlement stands, from {@link ExactScheme.settlementStatus}. */
export type ExactSettlementStatus =
  | {
      status: 'confirmed'
      /** The transaction that carries the transfer (a replacement may differ from the one asked about). */
      transaction: string
      payer: string
      /** Index of the `Transfer` log in its block, when known. */
      logIndex?: number
    }
  | {
      status: 'pending'
      transaction: string
      /** Seconds to wait before asking again. */
      retryAfter: number
    }
  | {
      status: 'failed'
      transaction: string
      /**
       * Why it provably cannot land: `authorization_canceled` (the payer canceled it), `expired`
       * (unused past `validBefore`), `nonce_taken` (another transaction used the settler nonce),
       * `reverted` (it was mined and reverted; the authorization is unused).
       */
      reason: 'authorization_canceled' | 'expired' | 'nonce_taken' | 'reverted'
    }

/** A network payments are accepted on, with the schemes it can verify. */
export type PaymentNetwork = {
  readonly specificationVersion: 'v1'
  /** CAIP-2 id. */
  readonly network: Network
  /** Assets offered on this network (address, symbol or `"native"`); default the USD-pegged ones for `$` prices. */
  readonly assets?: readonly string[]
  /** Confirmations `tx` proofs need; default the registry's value. */
  readonly confirmations?: number
  /** Verifier for the `tx` scheme. */
  readonly tx?: TxVerifier
  /** Verifier and settler for the x402 `exact` scheme. */
  readonly exact?: ExactScheme
  /**
   * The EIP-3009 nonce an MPP `authorization` credential must carry for a challenge (EVM:
   * `keccak256(utf8(id + realm))`). A gate offers MPP challenges for this network's `exact` offers
   * only when it is set; `evmNetwork` sets it whenever `exact` is given.
   */
  readonly mppChallengeNonce?: (challenge: { id: string; realm: string }) => string
}
