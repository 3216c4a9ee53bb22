import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisSkipReason } from '../../../packages/redis/test/redis-server.js'
import { FAULTS, formatMatrix, KINDS, type Outcome, TRANSPORTS } from '../src/matrix.js'
import { notApplicable, runFault } from '../src/run-fault.js'
import { type FaultWorld, startFaultWorld } from '../src/start-fault-world.js'

// The exactly-once fault matrix: every purchase kind, through every transport, one fault per run,
// judged from the chain. The runs share one world and its proxies, so they run one at a time.

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

describe.skipIf(skipReason !== undefined).sequential('fault matrix', () => {
  for (const transport of TRANSPORTS) {
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
  }
})
