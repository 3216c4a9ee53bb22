import type { TxVerifier, VerifiedTransfer } from '../scheme/types.js'
import type { Store } from '../store/types.js'
import { claimPayment, type PaymentClaim } from './claim-payment.js'

/** Options of {@link claimTxProof}. */
export type ClaimTxProofOptions = {
  /** The network's `tx` verifier (its `recoverSigner` runs offline). */
  verifier: TxVerifier
  /** CAIP-2 id of the network. */
  network: string
  /** Canonical transaction id. */
  transaction: string
  /** The proof signature, as sent. */
  signature: string
  /** The proof message the signature must sign. */
  message: string
  /** Untrusted hints from the payload (the Solana `payer`). */
  hints: Readonly<Record<string, unknown>>
  /** Seconds every claim lives: at least the acceptance window. */
  ttlSeconds: number
  /** Seconds the claims live in flight past their last renewal (see `claimPayment`). Default: none. */
  leaseSeconds?: number
  /** Called with the value a spent claim of this proof keeps, before `payment_already_used`. */
  onSpent?: (value: string) => void
}

/** A `tx` proof's claim: held per signer; {@link TxProofClaim.confirm} adds the payment itself. */
export type TxProofClaim = PaymentClaim & {
  /**
   * After verification showed the signer paid: claims the transaction and each credited
   * transfer's on-chain identity. Throws `payment_in_progress` or `payment_already_used`.
   */
  confirm(verified: VerifiedTransfer): Promise<void>
}

/**
 * Claims a `tx` proof before any RPC, under `tx:<network>:<transaction>:<signer>` with the signer
 * recovered offline (or, when the verifier cannot know it offline, the SHA-256 of the signature).
 * A proof signed by a stranger therefore never holds the payer's claim: the stranger's bogus
 * proofs and the payer's valid one claim different keys. Only once the transfer is verified does
 * `confirm` claim `tx:<network>:<transaction>` and `onchain:<network>:<transaction>:<transfer>`,
 * the keys every scheme shares.
 *
 * @example
 * const claim = await claimTxProof(store, { verifier, network, transaction, signature, message, hints, ttlSeconds })
 * const verified = await verifier.verifyTransfer(input).catch(async (error) => { await claim.release(); throw error })
 * await claim.confirm(verified)
 * @throws {TollgateError} `verify_signature_invalid` (offline), `payment_in_progress`,
 * `payment_already_used`, `store_unavailable`
 */
export async function claimTxProof(store: Store, options: ClaimTxProofOptions): Promise<TxProofClaim> {
  const { network, transaction } = options
  const signer = await options.verifier.recoverSigner?.({
    transaction,
    signature: options.signature,
    message: options.message,
    hints: options.hints,
  })
  // As the verifier reports it: EVM addresses come lowercase, Solana keys are case-sensitive base58.
  const who = signer === undefined ? `sig:${await sha256Hex(options.signature)}` : signer
  const claim = await claimPayment(store, {
    keys: [`tx:${network}:${transaction}:${who}`],
    ttlSeconds: options.ttlSeconds,
    ...(options.leaseSeconds === undefined ? {} : { leaseSeconds: options.leaseSeconds }),
    noun: 'transaction',
    details: { transaction, network },
    ...(options.onSpent === undefined ? {} : { onSpent: options.onSpent }),
  })
  return {
    get keys() {
      return claim.keys
    },
    add: claim.add,
    commit: claim.commit,
    release: claim.release,
    annotate: claim.annotate,
    async confirm(verified) {
      const transfers = (verified.transferIds ?? []).map((id) => `onchain:${network}:${transaction}:${id}`)
      await claim.add([`tx:${network}:${transaction}`, ...transfers])
    },
  }
}

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
