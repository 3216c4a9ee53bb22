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
  /** Checks signature, amounts, times, nonce, balance; throws x402 reason codes. */
  verify(input: ExactInput): Promise<{ payer: string }>
  /**
   * Submits the transfer and waits for it; throws `settlement_failed` and friends. `logIndex` is
   * the index of the settlement's `Transfer` log, when known: the gate then claims the payment's
   * on-chain identity too.
   */
  settle(input: ExactInput): Promise<{ transaction: string; payer: string; logIndex?: number }>
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
}
