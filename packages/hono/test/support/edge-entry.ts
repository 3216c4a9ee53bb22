// The script the edge runtime evaluates (bundled by esbuild): it sees only web globals, builds the
// app `EDGE_SETUP` names with its own copy of @tollgate/core and Hono, and answers fetch events.
import type { PaidConformanceGate } from '@tollgate/core/test'
import {
  type Count,
  paidFetchHandler,
  paidHonoApp,
  shapeFetchHandler,
  shapeGate,
  shapeHonoApp,
} from './apps.js'

/** What the test puts in the runtime's global scope. */
export type EdgeSetup = {
  app: 'shape-hono' | 'shape-hono-route' | 'shape-fetch' | 'paid-hono' | 'paid-hono-route' | 'paid-fetch'
  spec?: PaidConformanceGate
  count: Count
}

declare const EDGE_SETUP: EdgeSetup
declare function addEventListener(
  type: 'fetch',
  listener: (event: { request: Request; respondWith(response: Promise<Response>): void }) => void,
): void

function build(setup: EdgeSetup): (request: Request) => Promise<Response> {
  const spec = setup.spec as PaidConformanceGate
  switch (setup.app) {
    case 'shape-hono':
    case 'shape-hono-route': {
      const app = shapeHonoApp(shapeGate(), setup.count, setup.app === 'shape-hono' ? 'middleware' : 'route')
      return async (request) => app.fetch(request)
    }
    case 'shape-fetch':
      return shapeFetchHandler(shapeGate(), setup.count)
    case 'paid-hono':
    case 'paid-hono-route': {
      const app = paidHonoApp(spec, setup.count, setup.app === 'paid-hono' ? 'middleware' : 'route')
      return async (request) => app.fetch(request)
    }
    case 'paid-fetch':
      return paidFetchHandler(spec, setup.count)
  }
}

const handler = build(EDGE_SETUP)
addEventListener('fetch', (event) => event.respondWith(handler(event.request)))
