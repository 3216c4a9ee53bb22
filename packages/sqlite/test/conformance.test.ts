import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineStoreConformance } from '@tollgate/core/test'
import { afterAll, describe, expect, test } from 'vitest'
import { createSqliteStore } from '../src/index.js'

const directory = mkdtempSync(join(tmpdir(), 'tollgate-sqlite-conformance-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

let clock = 1_000_000
defineStoreConformance(
  { describe, test, expect: expect as never },
  {
    name: 'sqlite (fake clock)',
    create: () => createSqliteStore({ path: join(directory, `${crypto.randomUUID()}.db`), now: () => clock }),
    elapse: async (milliseconds) => {
      clock += milliseconds
    },
  },
)

// Each test has its own store, so the real-clock suite's waits overlap.
defineStoreConformance(
  { describe, test: test.concurrent, expect: expect as never },
  {
    name: 'sqlite (real clock)',
    create: () => createSqliteStore({ path: join(directory, `${crypto.randomUUID()}.db`) }),
    elapse: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  },
)
