/**
 * The server process of the benchmark: every server under test runs here, in one Node process on
 * one core, while the parent generates load from the other. Driven over the IPC channel: `start`,
 * `stats` (counters), `stop`. Not meant to be run by hand.
 */
import { createRedisStore, type RedisStore } from '@tollgate/redis'
import express from 'express'
import type { ParentMessage, ServerMessage, ServerStartOptions, ServerStats } from './bench-protocol.js'
import { createGateApp } from './create-gate-app.js'
import { createHonoApps } from './create-hono-apps.js'
import { createX402App } from './create-x402-app.js'
import { type ListeningApp, listenApp } from './listen-app.js'
import { listenFetch } from './listen-fetch.js'
import { searchLikeHandler } from './search-like-handler.js'

let stats: (() => ServerStats) | undefined
const closers: (() => Promise<void>)[] = []

function send(message: ServerMessage): void {
  process.send?.(message)
}

async function start(options: ServerStartOptions): Promise<void> {
  const { devnet } = options
  const bareApp = express()
  bareApp.disable('x-powered-by')
  bareApp.get('/api/search-like', searchLikeHandler)
  const bare = await track(listenApp(bareApp))

  const gateApp = createGateApp({
    devnet,
    secret: options.secret,
    // Account 8 pays the gas of our exact settlements.
    settlerKey: devnet.accounts[8]!.privateKey,
    receiptPollingMs: options.receiptPollingMs,
    simulationMaxAgeMs: options.exactSimulationMaxAgeMs,
  })
  const gate = await track(listenApp(gateApp.app))
  const honoApps = createHonoApps({
    devnet,
    secret: options.secret,
    receiptPollingMs: options.receiptPollingMs,
  })
  const bareHono = await track(listenFetch(honoApps.bare.fetch))
  const awaitingHono = await track(listenFetch(honoApps.awaiting.fetch))
  const honoGate = await track(listenFetch(honoApps.gated.fetch))
  const honoRouteGate = await track(listenFetch(honoApps.routed.fetch))

  let redisStore: RedisStore | undefined
  let redisGate: ListeningApp | undefined
  let redisGateRpc: ReturnType<typeof createGateApp>['rpc'] | undefined
  if (options.redisUrl !== undefined) {
    redisStore = createRedisStore({ url: options.redisUrl })
    const store = redisStore
    closers.push(() => store.close())
    const redisGateApp = createGateApp({
      devnet,
      secret: options.secret,
      store,
      receiptPollingMs: options.receiptPollingMs,
    })
    redisGateRpc = redisGateApp.rpc
    redisGate = await track(listenApp(redisGateApp.app))
  }

  const x402App = createX402App({
    devnet,
    rpcUrl: devnet.rpcUrl,
    // Account 7 pays the gas of the facilitator's settlements.
    settlerKey: devnet.accounts[7]!.privateKey,
    receiptPollingMs: options.receiptPollingMs,
  })
  const x402 = await track(listenApp(x402App.app))

  stats = () => ({
    gateRpc: { ...gateApp.rpc.stats },
    redisGateRpc: redisGateRpc === undefined ? undefined : { ...redisGateRpc.stats },
    redisCommands: redisStore?.stats().commands,
    x402RpcCalls: x402App.rpcCalls(),
  })
  send({
    type: 'ready',
    urls: {
      bare: bare.url,
      gate: gate.url,
      bareHono: bareHono.url,
      awaitingHono: awaitingHono.url,
      honoGate: honoGate.url,
      honoRouteGate: honoRouteGate.url,
      redisGate: redisGate?.url,
      x402: x402.url,
    },
  })
}

async function track<T extends { close(): Promise<void> }>(started: Promise<T>): Promise<T> {
  const value = await started
  closers.push(() => value.close())
  return value
}

async function stop(): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => {})
  // A normal exit, so `--cpu-prof` writes its profile.
  process.exit(0)
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    start(message.options).catch((error: unknown) => {
      send({
        type: 'failed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      })
    })
  } else if (message.type === 'stats') {
    if (stats !== undefined) send({ type: 'stats', id: message.id, stats: stats() })
  } else if (message.type === 'stop') {
    void stop()
  }
})
// Never outlive the parent.
process.on('disconnect', () => process.exit(0))
