/**
 * @module gate-process
 * Runs one gate instance as its own process, for tests that start several, crash them and restart
 * them: the demo API (Express, `tollgate()`, the demo's priced routes) on 127.0.0.1 and a free
 * port, with a durable store chosen on the command line.
 *
 *   node --import tsx src/gate-process.ts --store redis --redis-url redis://127.0.0.1:6379
 *   node --import tsx src/gate-process.ts --store sqlite --sqlite-path /tmp/tollgate.db
 *
 * `--store-timeout-ms` sets the Redis `commandTimeoutMs` or the SQLite `busyTimeoutMs`. The chain
 * and the secret come from the environment, as for the demo API: `TOLLGATE_RPC_URL`,
 * `TOLLGATE_ASSET` (token address), `TOLLGATE_PAY_TO` and `TOLLGATE_SECRET`, which every instance
 * of one gate shares. Once listening it prints one JSON line on stdout,
 * `{ "url", "pid", "store" }`, and nothing else. SIGTERM or SIGINT closes the server and the store
 * and exits 0; diagnostics go to stderr.
 */
import { parseArgs } from 'node:util'
import type { Store } from '@tollgate/core'
import { readChainAsset, startDemoApi } from '@tollgate/demo-api'
import { createRedisStore } from '@tollgate/redis'
import { createSqliteStore } from '@tollgate/sqlite'

type ClosableStore = Store & { close(): Promise<void> }

function log(message: string): void {
  process.stderr.write(`gate-process[${process.pid}]: ${message}\n`)
}

function required(name: string): string {
  const value = process.env[name]?.trim()
  if (value === undefined || value === '') throw new Error(`${name} is required.`)
  return value
}

function openStore(values: {
  store?: string
  'redis-url'?: string
  'sqlite-path'?: string
  'store-timeout-ms'?: string
}): ClosableStore {
  const timeout = values['store-timeout-ms'] === undefined ? undefined : Number(values['store-timeout-ms'])
  if (values.store === 'redis') {
    if (values['redis-url'] === undefined) throw new Error('--store redis needs --redis-url.')
    return createRedisStore({
      url: values['redis-url'],
      ...(timeout === undefined ? {} : { commandTimeoutMs: timeout }),
    })
  }
  if (values.store === 'sqlite') {
    if (values['sqlite-path'] === undefined) throw new Error('--store sqlite needs --sqlite-path.')
    return createSqliteStore({
      path: values['sqlite-path'],
      ...(timeout === undefined ? {} : { busyTimeoutMs: timeout }),
    })
  }
  throw new Error(`--store must be "redis" or "sqlite", got "${values.store ?? ''}".`)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string' },
      'redis-url': { type: 'string' },
      'sqlite-path': { type: 'string' },
      'store-timeout-ms': { type: 'string' },
    },
    strict: true,
  })
  const rpcUrl = required('TOLLGATE_RPC_URL')
  const { network, asset } = await readChainAsset({ rpcUrl, address: required('TOLLGATE_ASSET') })
  const store = openStore(values)
  const api = await startDemoApi({
    rpcUrl,
    network,
    asset,
    payTo: required('TOLLGATE_PAY_TO'),
    secret: required('TOLLGATE_SECRET'),
    store,
  })
  let stopping = false
  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    try {
      await api.close()
      await store.close()
    } catch (error) {
      log(`error while stopping: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      process.exit(0)
    }
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  process.stdout.write(`${JSON.stringify({ url: api.url, pid: process.pid, store: values.store })}\n`)
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
