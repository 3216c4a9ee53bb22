import type { LedgerRecord } from '../ledger/types.js'
import type { PastSpend } from '../policy/types.js'

/**
 * Money that left, or may still leave, the wallet in earlier runs, one entry per payment: a `tx`
 * transfer recorded (signed) and not failed; an `exact` authorization signed and neither failed nor
 * released. A server's refusal frees nothing: the authorization may still settle.
 * @example policy.restore(pastSpends(await ledger.records()))
 * @internal
 */
export function pastSpends(records: readonly LedgerRecord[]): PastSpend[] {
  const byId = new Map<string, LedgerRecord[]>()
  for (const record of records) {
    const group = byId.get(record.id)
    if (group === undefined) byId.set(record.id, [record])
    else group.push(record)
  }
  const spends: PastSpend[] = []
  for (const group of byId.values()) {
    const types = new Set(group.map((record) => record.type))
    const first = group[0] as LedgerRecord
    const ended = types.has('failed') || types.has('released')
    const spent =
      first.scheme === 'tx'
        ? (types.has('broadcast') || types.has('confirmed')) && !ended
        : (types.has('authorized') || types.has('accepted')) && !ended
    if (spent)
      spends.push({ at: first.at, network: first.network, asset: first.asset, amount: BigInt(first.amount) })
  }
  return spends
}
