import { sameAddress } from '../chains/same-address.js'
import type { LedgerRecord, LedgerSpend } from '../ledger/types.js'
import type { ClientRuntime } from './client-runtime.js'

// Records that end a payment for good: nothing of it stays reserved.
const ENDED = new Set(['accepted', 'failed', 'released'])

/**
 * Ends the reservations the ledger still holds whose outcome is now certain, for every payment
 * nobody is working on (held payments are skipped): an `exact` authorization past its
 * `validBefore` on chain is committed when its nonce was used and released when not; a payment
 * that was never signed (no `broadcast` or `authorized` record: a crash before signing) is
 * released. Everything else stays reserved. Runs at start, and again once the earliest held
 * authorization can expire.
 * @example await reconcileAuthorizations(runtime, { force: true })
 * @throws {TollgateError} `ledger_unavailable`
 * @internal
 */
export async function reconcileAuthorizations(
  runtime: ClientRuntime,
  options: { force?: boolean } = {},
): Promise<void> {
  if (options.force !== true && runtime.now() < runtime.nextReconcileAt) return
  // Only reserved spends: committed ones are over.
  const reserved = (await runtime.ledger.spends({ committedAfter: Number.MAX_SAFE_INTEGER })).filter(
    (spend) => spend.status === 'reserved',
  )
  runtime.nextReconcileAt = Number.POSITIVE_INFINITY
  if (reserved.length === 0) return
  const records = await runtime.ledger.records()
  for (const spend of reserved) await reconcileSpend(runtime, spend, records)
}

async function reconcileSpend(
  runtime: ClientRuntime,
  spend: LedgerSpend,
  records: readonly LedgerRecord[],
): Promise<void> {
  const own = records.filter((record) => record.id === spend.id)
  if (own.some((record) => ENDED.has(record.type))) return
  const signed = own.find((record) => record.type === 'authorized' || record.type === 'broadcast')
  const authorization = readAuthorization(signed)
  if (signed !== undefined && authorization === undefined) return
  const now = runtime.now()
  if (authorization !== undefined && authorization.validBefore * 1000 > now) {
    runtime.nextReconcileAt = Math.min(runtime.nextReconcileAt, authorization.validBefore * 1000)
    return
  }
  const holder = `reconcile-${crypto.randomUUID()}`
  // A request working on it holds it: it decides, not this.
  if (!(await runtime.ledger.hold(spend.id, { holder, until: now + 60_000 }, now))) return
  try {
    const outcome = authorization === undefined ? 'unused' : await chainOutcome(runtime, spend, authorization)
    if (outcome === undefined) {
      runtime.nextReconcileAt = Math.min(runtime.nextReconcileAt, now + 30_000)
      return
    }
    await end(runtime, spend, outcome, authorization === undefined ? 'not_signed' : 'expired_unused')
  } finally {
    await runtime.ledger.unhold(spend.id, holder)
  }
}

type Authorization = { from: string; nonce: string; validBefore: number }

function readAuthorization(record: LedgerRecord | undefined): Authorization | undefined {
  if (record?.type !== 'authorized') return undefined
  const authorization = record.payload?.authorization as
    | { from?: unknown; nonce?: unknown; validBefore?: unknown }
    | undefined
  const validBefore = Number(authorization?.validBefore)
  if (typeof authorization?.from !== 'string' || typeof authorization.nonce !== 'string') return undefined
  if (!Number.isSafeInteger(validBefore)) return undefined
  return { from: authorization.from, nonce: authorization.nonce, validBefore }
}

async function chainOutcome(
  runtime: ClientRuntime,
  spend: LedgerSpend,
  authorization: Authorization,
): Promise<'used' | 'unused' | undefined> {
  const wallet = runtime.options.wallets.find((entry) => {
    try {
      return (
        entry.authorizationState !== undefined &&
        sameAddress(spend.network, entry.address(spend.network), authorization.from)
      )
    } catch {
      return false
    }
  })
  if (wallet?.authorizationState === undefined) return undefined
  try {
    const state = await wallet.authorizationState({
      network: spend.network,
      asset: spend.asset,
      authorizer: authorization.from,
      nonce: authorization.nonce,
    })
    if (state.used) return 'used'
    // Blocks only move forward: past validBefore, an unused authorization can never settle.
    return state.chainTime >= authorization.validBefore ? 'unused' : undefined
  } catch {
    // The chain could not be read: the money may still move, so it stays reserved.
    return undefined
  }
}

async function end(
  runtime: ClientRuntime,
  spend: LedgerSpend,
  outcome: 'used' | 'unused',
  reason: string,
): Promise<void> {
  const base = {
    paymentId: spend.id,
    url: spend.url,
    scheme: spend.scheme,
    network: spend.network,
    asset: spend.asset,
    amount: spend.amount,
  }
  const record = {
    id: spend.id,
    at: runtime.now(),
    url: spend.url,
    scheme: spend.scheme,
    network: spend.network,
    asset: spend.asset,
    payTo: spend.payTo,
    amount: spend.amount.toString(),
  }
  if (outcome === 'used') {
    await runtime.policy.commit({ id: spend.id })
    await runtime.ledger.append({ ...record, type: 'accepted', error: 'used_on_chain' })
    runtime.emit({ type: 'settled', ...base, reason: 'used_on_chain' })
  } else {
    await runtime.policy.release({ id: spend.id })
    await runtime.ledger.append({ ...record, type: 'released' })
    runtime.emit({ type: 'released', ...base, reason })
  }
}
