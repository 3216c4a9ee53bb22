import { paidHandler, type TollgateEnv, tollgate } from '@tollgate/hono'
import { Hono } from 'hono'
import { type CreateGateAppOptions, createBenchGate } from './create-gate-app.js'
import { searchLikeBody } from './search-like-handler.js'

/**
 * The benchmark's Hono apps: bare (the handler only), awaiting (a no-op async middleware in front
 * of it), gated (the `tollgate()` middleware of `@tollgate/hono` in front of the same handler, with
 * the same gate as the Express rows, and `POST /api/pass`) and routed (the same gate as each
 * route's own handler, `paidHandler()`).
 *
 * @example const { bare, gated, routed } = createHonoApps({ devnet, secret, receiptPollingMs: 25 })
 */
export function createHonoApps(options: CreateGateAppOptions): {
  bare: Hono
  awaiting: Hono
  gated: Hono<TollgateEnv>
  routed: Hono<TollgateEnv>
} {
  const bare = new Hono()
  bare.get('/api/search-like', (c) => c.json(searchLikeBody(c.req.query('q') ?? '')))
  // Any async middleware takes a Hono app off @hono/node-server's synchronous fast path: this one
  // does nothing else, to tell that cost from the gate's.
  const awaiting = new Hono()
  awaiting.use(async (_c, next) => {
    await next()
  })
  awaiting.get('/api/search-like', (c) => c.json(searchLikeBody(c.req.query('q') ?? '')))
  // One gate for both forms; each app sells its own passes, for the origin it listens on.
  const { gate } = createBenchGate(options)
  const gated = new Hono<TollgateEnv>()
  gated.use(tollgate(gate))
  gated.get('/api/search-like', (c) => c.json(searchLikeBody(c.req.query('q') ?? '')))
  gated.post('/api/pass', (c) => c.json({ pass: c.get('tollgate')?.pass }))
  const routed = new Hono<TollgateEnv>()
  routed.get(
    '/api/search-like',
    paidHandler(gate, (c) => c.json(searchLikeBody(c.req.query('q') ?? ''))),
  )
  routed.post(
    '/api/pass',
    paidHandler(gate, (c) => c.json({ pass: c.get('tollgate')?.pass })),
  )
  return { bare, awaiting, gated, routed }
}
