import type { DevnetJson } from '@tollgate/testkit'

/** What the parent tells the server process to start. */
export type ServerStartOptions = {
  devnet: DevnetJson
  /** Signs the gates' challenges and passes. */
  secret: string
  /** A fresh `redis-server`, or undefined when Redis is skipped. */
  redisUrl: string | undefined
  /** Receipt polling of both settlers, in milliseconds. */
  receiptPollingMs: number
  /** `simulationMaxAgeMs` of our `exact` settler (0: simulate again at settle, the default). */
  exactSimulationMaxAgeMs: number
}

/** Where the servers listen. */
export type ServerUrls = {
  /** Express with the handler only. */
  bare: string
  /** Express behind the Tollgate gate (memory store; `tx`, `exact` and the pass). */
  gate: string
  /** Hono (on `@hono/node-server`) with the same handler only. */
  bareHono: string
  /** Hono with a no-op async middleware in front of the same handler. */
  awaitingHono: string
  /** Hono behind `@tollgate/hono`, with the same gate as `gate` (memory store, `tx` and the pass). */
  honoGate: string
  /** Hono with the same gate as each route's own handler (`paidHandler()` of `@tollgate/hono`). */
  honoRouteGate: string
  /** Express behind a Tollgate gate on Redis, when Redis runs. */
  redisGate: string | undefined
  /** `@x402/express` with an in-process `x402Facilitator`. */
  x402: string
}

/** Counters of the server process, read before and after each measurement. */
export type ServerStats = {
  /** JSON-RPC round trips and calls of the memory-store gate (shared `createJsonRpc`). */
  gateRpc: { roundTrips: number; calls: number }
  /** The same for the Redis gate. */
  redisGateRpc: { roundTrips: number; calls: number } | undefined
  /** Redis commands sent by the Redis gate's store. */
  redisCommands: number | undefined
  /** JSON-RPC calls of the x402 facilitator, counted where its transport calls `fetch`. */
  x402RpcCalls: number
}

/** Parent to server process. */
export type ParentMessage =
  | { type: 'start'; options: ServerStartOptions }
  | { type: 'stats'; id: number }
  | { type: 'stop' }

/** Server process to parent. */
export type ServerMessage =
  | { type: 'ready'; urls: ServerUrls }
  | { type: 'stats'; id: number; stats: ServerStats }
  | { type: 'failed'; message: string }
