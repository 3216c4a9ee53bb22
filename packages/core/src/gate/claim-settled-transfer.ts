import { claimPayment } from './claim-payment.js'
import type { GateRuntime } from './gate-runtime.js'

/**
 * Claims a settled payment's on-chain identity, `onchain:<network>:<transaction>:<transferId>`,
 * spent at once: the key a `tx` proof (or any other scheme) of the same transfer claims, so the
 * transfer is sold once. Without a `logIndex` (a facilitator that does not report one) there is
 * nothing to claim. Never throws: the request was served and settled already, and a refusal here
 * cannot undo that (the EIP-3009 rule of the `tx` verifier still refuses a proof of this transfer).
 * @internal
 * @example await claimSettledTransfer(runtime, 'eip155:8453', { transaction: '0x…', logIndex: 3 })
 */
export async function claimSettledTransfer(
  runtime: GateRuntime,
  network: string,
  settled: { transaction: string; logIndex?: number },
): Promise<void> {
  if (settled.logIndex === undefined) return
  // EVM hashes in the lowercase form `tx` proofs are canonicalised to; base58 ids are case-sensitive.
  const transaction = settled.transaction.startsWith('0x')
    ? settled.transaction.toLowerCase()
    : settled.transaction
  try {
    const claim = await claimPayment(runtime.store, {
      keys: [`onchain:${network}:${transaction}:${settled.logIndex}`],
      ttlSeconds: runtime.claimTtlSeconds,
    })
    await claim.commit()
  } catch {
    // Already claimed or the store is down: the payment was served once by this route either way.
  }
}
