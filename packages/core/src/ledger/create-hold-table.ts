import { assertHold } from './assert-hold.js'
import type { LedgerHold, LedgerRecord } from './types.js'

/** Holds on payments in flight, kept in memory by one process. @internal */
export type HoldTable = {
  /** See {@link Ledger.hold}. */
  hold(id: string, hold: LedgerHold, now: number): boolean
  /** See {@link Ledger.unhold}. */
  unhold(id: string, holder: string): void
  /** The first candidate nobody holds at `now`, held for `take` when given. */
  pick(
    candidates: readonly LedgerRecord[],
    take: LedgerHold | undefined,
    now: number,
  ): LedgerRecord | undefined
}

/**
 * Creates the hold table of a ledger that lives in one process (memory, or a locked file):
 * holds vanish with the process, so a crashed process's payments become reusable on restart.
 *
 * @example const holds = createHoldTable(); holds.hold(id, { holder, until: Date.now() + 60_000 }, Date.now())
 * @throws {TollgateError} `config_invalid` for a malformed hold
 * @internal
 */
export function createHoldTable(): HoldTable {
  const holds = new Map<string, LedgerHold>()
  const heldByOther = (id: string, holder: string | undefined, now: number): boolean => {
    const current = holds.get(id)
    if (current === undefined) return false
    if (current.until <= now) {
      holds.delete(id)
      return false
    }
    return current.holder !== holder
  }
  return {
    hold(id, hold, now) {
      assertHold(id, hold)
      if (heldByOther(id, hold.holder, now)) return false
      holds.set(id, { holder: hold.holder, until: hold.until })
      return true
    },
    unhold(id, holder) {
      if (holds.get(id)?.holder === holder) holds.delete(id)
    },
    pick(candidates, take, now) {
      const found = candidates.find((record) => !heldByOther(record.id, take?.holder, now))
      if (found !== undefined && take !== undefined)
        holds.set(found.id, { holder: take.holder, until: take.until })
      return found
    },
  }
}
