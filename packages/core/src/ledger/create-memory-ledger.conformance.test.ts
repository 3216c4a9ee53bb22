import { describe, expect, test } from 'vitest'
import { defineLedgerConformance } from '../test/ledger-conformance.js'
import { createMemoryLedger } from './create-memory-ledger.js'

defineLedgerConformance(
  { describe, test, expect },
  { name: 'memory', shared: true, durable: false, create: () => createMemoryLedger() },
)
