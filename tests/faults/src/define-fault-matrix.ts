import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisSkipReason } from '../../../packages/redis/test/redis-server.js'
import { FAULTS, formatMatrix, KINDS, type Outcome, type Transport } from './matrix.js'
import { notApplicable, runFault } from './run-fault.js'
import { type FaultWorld, startFaultWorld } from './start-fault-world.js'

/**
 * Defines the exactly-once fault matrix of one transport as vitest tests: every purchase kind, one
 * fault per run, judged from the chain. The runs share one world and its proxies, so they run one
 * at a time; each transport has its own world (and test file), so the transports run side by side.
 *
 * @example defineFaultMatrix('express')
 */
export function defineFaultMatrix(transport: Transport): void {
  let faults: FaultWorld | undefined
  const outcomes: Outcome[] = []
  // Without redis-server the runs are skipped (under CI that fails, as for the Redis suites).
  const skipReason = redisSkipReason()

  beforeAll(async () => {
    if (skipReason === undefined) faults = await startFaultWorld()
  })

  afterAll(async () => {
    // The table goes to stdout (not the console, which fails a test): vitest passes it through.
    if (outcomes.length > 0) process.stdout.write(formatMatrix(outcomes))
    await faults?.stop()
  })

  describe.skipIf(skipReason !== undefined).sequential(`fault matrix: ${transport}`, () => {
    for (const kind of KINDS) {
      for (const fault of FAULTS) {
        const reason = notApplicable(kind, transport, fault)
        if (reason !== undefined) {
          outcomes.push({ kind, transport, fault, applicable: false, reason })
          continue
        }
        test(`${transport} / ${kind} / ${fault}`, async () => {
          const outcome = await runFault(faults as FaultWorld, kind, transport, fault)
          outcomes.push(outcome)
          expect(outcome.applicable && outcome.violations).toEqual([])
        })
      }
    }
  })
}
