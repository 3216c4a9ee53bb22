// The apps the conformance suites run, as Hono apps and as plain fetch handlers. No Node module is
// imported here: the edge runtime's bundle builds the very same apps.
import { createGate, createKeyring, encodePass, type Gate, toFetchHandler } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import type { PaidConformanceGate, PaidConformanceHandler } from '@tollgate/core/test'
import { paidConformanceGateOptions } from '@tollgate/test-support/paid-conformance-gate'
import { type Context, type Handler, Hono } from 'hono'
import { paidHandler, type TollgateEnv, tollgate } from '../../src/index.js'

const SHAPE_SECRET = 'hono-conformance-secret-0123456789abcdef'
const SHAPE_ORIGIN = 'https://api.example.test'

/** The shape suite's gate: unpaid requests never reach the chain, so a closed port is enough. */
export function shapeGate(): Gate {
  return createGate({
    routes: {
      'GET /api/search': { price: '$0.001' },
      'POST /api/contract/issue': { price: '$1' },
      'GET /api/items/:id': { price: '$0.01' },
      'GET /reports/**': { price: '$0.02' },
    },
    payTo: '0x000000000000000000000000000000000000dEaD',
    networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
    secret: SHAPE_SECRET,
    publicUrl: SHAPE_ORIGIN,
    logger: { warn: () => {} },
  })
}

/** A pass of the shape gate for `GET /api/search` only (the first of {@link PRICED}). */
export async function shapePass(): Promise<string> {
  const claims = {
    sub: '0x00000000000000000000000000000000000aBcDe',
    scope: { routes: ['GET /api/search'], origin: SHAPE_ORIGIN },
    ttlSeconds: 600,
  }
  return (await encodePass(claims, { keyring: createKeyring(SHAPE_SECRET) })).token
}

/** The priced requests of the shape suite. */
export const PRICED = [
  { method: 'GET', path: '/api/search' },
  { method: 'POST', path: '/api/contract/issue' },
  { method: 'GET', path: '/api/items/42' },
  { method: 'GET', path: '/reports/2026/q1' },
]

/** Counts a handler's runs: returns its new count. */
export type Count = (name: string) => number

/**
 * How a Hono app puts the gate in front of its handlers: the `tollgate()` middleware, or
 * `paidHandler()` as each route's handler.
 */
export type HonoForm = 'middleware' | 'route'

type RouteHandler = (c: Context<TollgateEnv>) => Response | Promise<Response>

/** A Hono app with the gate in `form`, and what turns a route's handler into the one to register. */
function gatedApp(
  gate: Gate,
  form: HonoForm,
): { app: Hono<TollgateEnv>; gated: (handler: RouteHandler) => Handler<TollgateEnv> } {
  const app = new Hono<TollgateEnv>()
  if (form === 'middleware') {
    app.use(tollgate(gate))
    return { app, gated: (handler) => handler }
  }
  return { app, gated: (handler) => paidHandler(gate, handler) }
}

/** The shape suite's Hono app: the priced routes, one of them in a mounted sub-app. */
export function shapeHonoApp(gate: Gate, count: Count, form: HonoForm = 'middleware'): Hono<TollgateEnv> {
  const { app, gated } = gatedApp(gate, form)
  app.get(
    '/api/search',
    gated((c) => c.json({ results: [], run: count('search') })),
  )
  app.post(
    '/api/contract/issue',
    gated((c) => c.json({ issued: count('issue') }, 201)),
  )
  const items = new Hono<TollgateEnv>()
  items.get(
    '/:id',
    gated((c) => c.json({ item: c.req.param('id'), run: count('item') })),
  )
  app.route('/api/items', items)
  app.get(
    '/reports/*',
    gated((c) => c.json({ report: count('report') })),
  )
  return app
}

/** The shape suite's plain fetch handler: the same routes, routed by hand. */
export function shapeFetchHandler(gate: Gate, count: Count): (request: Request) => Promise<Response> {
  return toFetchHandler(gate, (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/api/search') return Response.json({ results: [], run: count('search') })
    if (pathname === '/api/contract/issue') return Response.json({ issued: count('issue') }, { status: 201 })
    if (pathname.startsWith('/api/items/')) return Response.json({ item: count('item') })
    if (pathname.startsWith('/reports/')) return Response.json({ report: count('report') })
    return new Response('not found', { status: 404 })
  })
}

/** The paid suite's Hono app, with its gate built from `spec`. */
export function paidHonoApp(
  spec: PaidConformanceGate,
  count: Count,
  form: HonoForm = 'middleware',
): Hono<TollgateEnv> {
  const { app, gated } = gatedApp(createGate(paidConformanceGateOptions(spec)), form)
  app.get(
    '/api/report',
    gated((c) => c.json({ report: 'paid', run: count('report') })),
  )
  app.get(
    '/api/other',
    gated((c) => c.json({ other: count('other') > 0 })),
  )
  app.get(
    '/api/fail',
    gated((c) => {
      if (count('fail') === 1) return c.json({ error: 'database_down' }, 500)
      return c.json({ ok: true })
    }),
  )
  app.get(
    '/api/throw',
    gated((c) => {
      if (count('throw') === 1) throw new Error('handler exploded')
      return c.json({ ok: true })
    }),
  )
  app.onError((_error, c) => c.json({ error: 'handler_failed' }, 500))
  return app
}

/** The paid suite's plain fetch handler, with its gate built from `spec`. */
export function paidFetchHandler(
  spec: PaidConformanceGate,
  count: Count,
): (request: Request) => Promise<Response> {
  return toFetchHandler(createGate(paidConformanceGateOptions(spec)), (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/api/report') return Response.json({ report: 'paid', run: count('report') })
    if (pathname === '/api/other') return Response.json({ other: count('other') > 0 })
    if (pathname === '/api/fail') {
      if (count('fail') === 1) return Response.json({ error: 'database_down' }, { status: 500 })
      return Response.json({ ok: true })
    }
    if (pathname === '/api/throw') {
      if (count('throw') === 1) throw new Error('handler exploded')
      return Response.json({ ok: true })
    }
    return new Response('not found', { status: 404 })
  })
}

/** A counter of handler runs by name. */
export function counter(): {
  count: Count
  runs: (name: PaidConformanceHandler | string) => number
  total: () => number
} {
  const runs = new Map<string, number>()
  return {
    count: (name) => {
      const next = (runs.get(name) ?? 0) + 1
      runs.set(name, next)
      return next
    },
    runs: (name) => runs.get(name) ?? 0,
    total: () => [...runs.values()].reduce((sum, value) => sum + value, 0),
  }
}
