import type { Network } from '../chains/types.js'
import { verifyChallenge } from '../challenge/verify-challenge.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import type { PaymentPayload, SettleResponse } from '../protocol/types.js'
import type { TxVerifier, VerifiedTransfer } from '../scheme/types.js'
import { createProofMessage } from '../tx/create-proof-message.js'
import { asVerificationError } from './as-verification-error.js'
import { boundedString } from './bounded-string.js'
import { callHook } from './call-hook.js'
import { challengeClaims } from './challenge-claims.js'
import { claimTxProof } from './claim-tx-proof.js'
import type { CompiledRoute } from './compile-routes.js'
import { createSettleHeaders } from './create-settle-headers.js'
import type { GateRuntime } from './gate-runtime.js'
import { issueRoutePass } from './issue-route-pass.js'
import type { KeptResponse } from './keep-response.js'
import { keptHeaders } from './kept-headers.js'
import { limitPayer } from './limit-payer.js'
import type { Offer } from './offers.js'
import { answers, replayDecision, requestTarget } from './replay-response.js'
import type {
  GateCompletion,
  GateContext,
  GatePaid,
  GateRejected,
  GateRequest,
  PaymentReceipt,
} from './types.js'

/**
 * Admits a `tx` proof: checks its challenge, claims the proof per signer, verifies the transfer on
 * chain, claims the transaction and its transfers, and returns a paid decision whose
 * `PAYMENT-RESPONSE` is ready at once. The claims are spent when the request completes.
 * @internal
 * @throws {TollgateError} `invalid_payload`, `challenge_*`, `payment_in_progress`,
 * `payment_already_used`, `verify_*`,
 * `rpc_unavailable`, `rate_limited`
 */
export async function verifyTxPayment(
  runtime: GateRuntime,
  route: CompiledRoute,
  offer: Offer,
  payload: PaymentPayload,
  request: GateRequest,
  context: GateContext,
): Promise<GatePaid | GateRejected> {
  const verifier = offer.network.tx
  if (verifier === undefined)
    throw new TollgateError('unsupported_scheme', 'This network does not accept tx proofs.')
  const proof = payload.payload
  const transaction = verifier.parseTransaction(proof.transaction)
  if (transaction === undefined) {
    throw new TollgateError(
      'invalid_payload',
      `The tx payload's transaction ${quote(proof.transaction)} is malformed.`,
    )
  }
  const challenge = boundedString(proof.challenge ?? payload.accepted.extra.challenge, 'challenge')
  const signature = boundedString(proof.signature, 'signature')
  await verifyChallenge(challenge, {
    keyring: runtime.keyring,
    now: runtime.now,
    clockSkewSeconds: runtime.skewSeconds,
    expected: challengeClaims(route.key, offer),
  })
  // Claimed per signer before any RPC: a stranger's proof of this transaction never holds the payer's claim.
  // A spent proof of the same signer may keep its response: then it is replayed, not refused.
  let spentValue = ''
  const claimed = await claimTxProof(runtime.store, {
    verifier,
    network: offer.network.network,
    transaction,
    signature,
    message: createProofMessage({ network: offer.network.network, transaction, challenge }),
    hints: proof,
    ttlSeconds: runtime.claimTtlSeconds,
    leaseSeconds: runtime.claimLeaseSeconds,
    onSpent: (value) => {
      spentValue = value
    },
  }).catch((error: unknown) => {
    const replayed = replayTxResponse(spentValue, offer.network.network, transaction, request)
    if (replayed === undefined) throw error
    return replayed
  })
  if (!('confirm' in claimed)) return claimed
  const claim = claimed
  let verified: VerifiedTransfer
  let pass: IssuedPass | undefined
  try {
    verified = await verifyOnChain(
      runtime,
      verifier,
      route,
      offer,
      { transaction, signature, challenge, proof },
      context,
    )
    // The signer paid: now the transaction and its transfers are claimed, shared by every scheme.
    await claim.confirm(verified)
    await limitPayer(runtime, verified.payer)
    pass = await issueRoutePass(runtime, offer, route, verified.payer, request)
  } catch (error) {
    await claim.release()
    throw asVerificationError(error)
  }
  const receipt: PaymentReceipt = {
    method: 'payment',
    route: route.key,
    payer: verified.payer,
    scheme: 'tx',
    network: offer.network.network,
    asset: offer.asset.address,
    amount: verified.amount.toString(),
    transaction,
    ...(pass === undefined ? {} : { pass }),
  }
  const settlement: SettleResponse = {
    success: true,
    transaction,
    network: offer.network.network,
    payer: verified.payer,
    ...(pass === undefined ? {} : { extensions: { pass } }),
  }
  callHook(runtime, 'onPayment', { receipt, request })
  return paidDecision(receipt, settlement, claim, {
    maxBodyBytes: runtime.replayMaxBodyBytes,
    target: requestTarget(request),
  })
}

/** The kept response of a spent proof of this signer, replayed; undefined when none was kept. */
function replayTxResponse(
  value: string,
  network: Network,
  transaction: string,
  request: GateRequest,
): GateRejected | undefined {
  let kept: { payer?: unknown; response?: KeptResponse }
  try {
    kept = JSON.parse(value) as typeof kept
  } catch {
    return undefined
  }
  if (typeof kept?.payer !== 'string' || kept.response === undefined) return undefined
  // A proof retried for another request than the one it paid is refused, never answered with this one.
  if (!answers(kept.response, request)) return undefined
  const settlement: SettleResponse = { success: true, transaction, network, payer: kept.payer }
  return replayDecision(kept.response, settlement)
}

/**
 * A `tx` payment is consumed once the handler's answer starts going out with a status below 500.
 * A handler that fails first (a throw, or a 5xx) frees the proof: its response carries a failed
 * `PAYMENT-RESPONSE` saying so, and no pass.
 */
function paidDecision(
  receipt: PaymentReceipt,
  settlement: SettleResponse,
  claim: { commit(): Promise<void>; release(): Promise<void>; annotate(value: string): Promise<void> },
  keeping: { maxBodyBytes: number; target: string },
): GatePaid {
  const headers = createSettleHeaders(settlement)
  const { extensions: _, ...unsettled } = settlement
  const failure: SettleResponse = {
    ...unsettled,
    success: false,
    errorReason: 'service_failed',
    errorMessage: 'The service failed before answering; the payment was not consumed and can be sent again.',
    extensions: { retryable: true },
  }
  const failureHeaders = createSettleHeaders(failure)
  let completion: Promise<GateCompletion> | undefined
  const complete = (status: number): Promise<GateCompletion> => {
    completion ??= (async () => {
      // Consumed: the claims turn from in flight to spent.
      if (status < 500) {
        await claim.commit()
        return { ok: true, headers, receipt, settlement }
      }
      // Payment without service is a bug: free the proof so the payer can send it again.
      await claim.release()
      return { ok: true, headers: failureHeaders, receipt, settlement: failure }
    })()
    return completion
  }
  return {
    outcome: 'paid',
    receipt,
    headers,
    settlement,
    deferred: false,
    settles: true,
    headersFor: (status) => (status < 500 ? headers : failureHeaders),
    complete,
    keep: async (kept) => {
      const done = await completion
      // Only a consumed payment keeps its response, and only one small enough.
      if (done?.settlement?.success !== true || keptBytes(kept) > keeping.maxBodyBytes) return false
      const pass = receipt.pass === undefined ? {} : { pass: receipt.pass }
      const value = JSON.stringify({
        payer: receipt.payer,
        response: { ...kept, headers: keptHeaders(kept.headers), target: keeping.target, ...pass },
      })
      if (value.length > 65_536) return false
      await claim.annotate(value)
      return true
    },
    cancel: async () => {
      if (completion === undefined) await complete(500)
    },
  }
}

/** The size of a kept body, in bytes, from its base64 length. */
function keptBytes(kept: KeptResponse): number {
  const padding = kept.body.endsWith('==') ? 2 : kept.body.endsWith('=') ? 1 : 0
  return (kept.body.length / 4) * 3 - padding
}

async function verifyOnChain(
  runtime: GateRuntime,
  verifier: TxVerifier,
  route: CompiledRoute,
  offer: Offer,
  proof: { transaction: string; signature: string; challenge: string; proof: Record<string, unknown> },
  context: GateContext,
): Promise<VerifiedTransfer> {
  const started = runtime.now()
  const event = { scheme: 'tx', network: offer.network.network, route: route.key }
  try {
    const nowSeconds = Math.floor(started / 1000)
    const verified = await verifier.verifyTransfer({
      transaction: proof.transaction,
      signature: proof.signature,
      message: createProofMessage({
        network: offer.network.network,
        transaction: proof.transaction,
        challenge: proof.challenge,
      }),
      asset: offer.asset,
      payTo: offer.payTo,
      amount: offer.amount,
      confirmations: offer.confirmations,
      notBefore: nowSeconds - runtime.windowSeconds,
      notAfter: nowSeconds + runtime.skewSeconds,
      hints: proof.proof,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    })
    callHook(runtime, 'onVerify', { ...event, durationMs: runtime.now() - started })
    return verified
  } catch (error) {
    const failure = asVerificationError(error)
    callHook(runtime, 'onVerify', { ...event, durationMs: runtime.now() - started, error: failure })
    throw failure
  }
}
