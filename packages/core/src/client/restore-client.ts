import type { LedgerRecord } from '../ledger/types.js'
import { sameAddress } from '../policy/same-address.js'
import type { ClientRuntime } from './client-runtime.js'
import { pastSpends } from './past-spends.js'

/**
 * Reads earlier runs back from the ledger once: `exact` authorizations of unknown outcome whose
 * `validBefore` has passed are settled or released by what the chain says, then every payment
 * that may have moved money counts against the budget. A restart never resets a budget.
 * @example await restoreClient(runtime)
 * @throws {TollgateError} `ledger_unavailable`
 * @internal
 */
export function restoreClient(runtime: ClientRuntime): Promise<void> {
  runtime.restored ??= (async () => {
    const records = await runtime.ledger.records()
    const ended = await reconcileRecords(runtime, records)
    runtime.policy.restore(pastSpends([...records, ...ended]))
  })()
  return runtime.restored
}

// Records that end held authorizations from earlier runs (appended to the ledger as well).
async function reconcileRecords(
  runtime: ClientRuntime,
  records: readonly LedgerRecord[],
): Promise<LedgerRecord[]> {
  const closed = new Set<string>()
  const authorized = new Map<string, LedgerRecord>()
  for (const record of records) {
    if (record.type === 'accepted' || record.type === 'failed' || record.type === 'released')
      closed.add(record.id)
    else if (record.type === 'authorized' && record.scheme === 'exact') authorized.set(record.id, record)
  }
  const nowSeconds = Math.floor(runtime.now() / 1000)
  const ended: LedgerRecord[] = []
  for (const [id, record] of authorized) {
    if (closed.has(id)) continue
    const outcome = await chainOutcome(runtime, record, nowSeconds)
    if (outcome === undefined) continue
    const end: LedgerRecord = {
      ...record,
      type: outcome === 'used' ? 'accepted' : 'released',
      at: runtime.now(),
      ...(outcome === 'used' ? { error: 'used_on_chain' } : {}),
    }
    delete end.payload
    await runtime.ledger.append(end)
    ended.push(end)
  }
  return ended
}

async function chainOutcome(
  runtime: ClientRuntime,
  record: LedgerRecord,
  nowSeconds: number,
): Promise<'used' | 'unused' | undefined> {
  const authorization = record.payload?.authorization as
    | { from?: unknown; nonce?: unknown; validBefore?: unknown }
    | undefined
  const validBefore = Number(authorization?.validBefore)
  const from = authorization?.from
  const nonce = authorization?.nonce
  if (!Number.isSafeInteger(validBefore) || validBefore > nowSeconds) return undefined
  if (typeof from !== 'string' || typeof nonce !== 'string') return undefined
  const wallet = runtime.options.wallets.find((entry) => {
    try {
      return (
        entry.authorizationState !== undefined &&
        sameAddress(record.network, entry.address(record.network), from)
      )
    } catch {
      return false
    }
  })
  if (wallet?.authorizationState === undefined) return undefined
  try {
    const state = await wallet.authorizationState({
      network: record.network,
      asset: record.asset,
      authorizer: from,
      nonce,
    })
    if (state.used) return 'used'
    return state.chainTime >= validBefore ? 'unused' : undefined
  } catch {
    return undefined
  }
}
