import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import type { LedgerRecord } from '../ledger/types.js'
import { encodePaymentCredential } from '../mpp/encode-payment-credential.js'
import { parseRfc3339 } from '../mpp/parse-rfc3339.js'
import { type MppChallenge, type MppEvmAuthorizationPayload, mppHeaderNames } from '../mpp/types.js'
import type { ClientRuntime } from './client-runtime.js'
import type { ClientFetchOptions } from './client-types.js'
import { emitSigned } from './emit-signed.js'
import { exactForMpp, MPP_SCHEME, mppChallengeOf } from './mpp-offer.js'
import type { PaymentSession } from './payment-session.js'

// The signed fields of the credential's payload.
type Authorization = Omit<MppEvmAuthorizationPayload, 'type' | 'signature'>

/**
 * Pays an MPP `evm`/`charge` challenge with an EIP-3009 authorization, under the same policy and
 * ledger as x402: resends the credential of this request's unfinished MPP payment when it is still
 * valid (same challenge, same nonce: it settles at most once), or reserves budget, has the wallet
 * sign an authorization whose nonce is bound to the challenge (`keccak256(id + realm)` on EVM),
 * valid from 0 until the challenge's `expires` capped by `maxAuthorizationSeconds`, records it,
 * and only then builds the `Authorization: Payment` credential.
 * @example await payMpp(runtime, session, { signal })
 * @throws {TollgateError} `policy_*`, `wallet_unavailable`, `payment_failed`
 * @internal
 */
export async function payMpp(
  runtime: ClientRuntime,
  session: PaymentSession,
  options: ClientFetchOptions & { signal?: AbortSignal | undefined },
): Promise<void> {
  const { requirements, wallet, asset } = session.candidate
  const challenge = mppChallengeOf(requirements)
  const exact = exactForMpp(requirements, asset)
  if (challenge === undefined || exact === undefined || wallet.authorize === undefined)
    throw new TollgateError('wallet_unavailable', 'The wallet cannot sign this MPP challenge.')
  const reused = await session.findUnfinishedAuthorization(MPP_SCHEME)
  if (reused !== undefined && resendable(reused, session.candidate.amount)) {
    session.adopt(reused)
    setCredential(session, reused.payload as MppPaymentRecord)
    return
  }
  if (reused !== undefined) await runtime.ledger.unhold(reused.id, session.holder)
  await session.reserve(options)
  const now = runtime.now()
  let signed: Record<string, unknown>
  try {
    signed = await wallet.authorize({
      requirements: exact,
      asset,
      now,
      validForSeconds: validFor(challenge, now, runtime.maxAuthorizationSeconds),
      mppChallenge: { id: challenge.id, realm: challenge.realm },
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (error) {
    const failure = toTollgateError(error, 'payment_failed')
    await session.release('not_signed', failure.code)
    throw failure
  }
  const record: MppPaymentRecord = { ...(signed as Omit<MppPaymentRecord, 'challenge'>), challenge }
  // Recorded before the credential exists: a lost answer resends this very authorization.
  await session.record('authorized', { payload: record })
  emitSigned(runtime, session, MPP_SCHEME, record.authorization.validBefore)
  setCredential(session, record)
}

// Seconds from `now` to the challenge's expiry (the draft's `validBefore`), at most `max`.
function validFor(challenge: MppChallenge, now: number, max: number): number {
  const expires = parseRfc3339(challenge.expires)
  if (expires === undefined) return max
  return Math.min(Math.floor(expires / 1000) - Math.floor(now / 1000), max)
}

// What the ledger keeps of an MPP payment: the authorization (read by reconciliation like any
// EIP-3009 one) and the challenge it answers, so the same credential can be sent again.
type MppPaymentRecord = { signature: string; authorization: Authorization; challenge: MppChallenge }

function resendable(record: LedgerRecord, amount: bigint): boolean {
  const payload = record.payload as Partial<MppPaymentRecord> | undefined
  const value = payload?.authorization?.value
  return (
    typeof payload?.signature === 'string' &&
    typeof payload.challenge === 'object' &&
    typeof value === 'string' &&
    /^\d{1,78}$/.test(value) &&
    BigInt(value) === amount
  )
}

function setCredential(session: PaymentSession, record: MppPaymentRecord): void {
  const { requirements } = session.candidate
  const { authorization, signature, challenge } = record
  session.payload = { x402Version: 2, accepted: requirements, payload: { signature, authorization } }
  session.header = {
    name: mppHeaderNames.authorization,
    value: encodePaymentCredential({
      challenge,
      payload: { type: 'authorization', ...authorization, signature },
      source: `did:pkh:${requirements.network}:${authorization.from}`,
    }),
  }
}
