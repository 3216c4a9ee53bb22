import { defineStoreConformance } from '@tollgate/core/test'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createRedisStore } from '../src/index.js'
import { type RedisServer, redisSkipReason, startRedisServer } from './redis-server.js'

const skipReason = redisSkipReason()
const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds))

describe.skipIf(skipReason !== undefined)(`redis${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server?.stop())

  // Each test has its own store (its own key prefix), so the suite's real waits overlap.
  defineStoreConformance(
    { describe, test: test.concurrent, expect: expect as never },
    {
      name: 'redis',
      // A generous call deadline: these tests are about semantics, and a busy machine can miss the
      // default 1 s (connecting included), which would fail them with store_unavailable.
      create: () =>
        createRedisStore({
          url: server.url,
          prefix: `conformance:${crypto.randomUUID()}:`,
          commandTimeoutMs: 30_000,
        }),
      elapse: sleep,
    },
  )
})
