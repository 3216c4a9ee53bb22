import { createGate, createKeyring, encodePass, type GateRequest } from '@tollgate/core'
import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { paidHandler, type TollgateEnv, tollgate } from '../src/index.js'
import { useDevnetBed } from './support/devnet-bed.js'

// How the Hono gate reads a request on @hono/node-server: the path Hono routes (with its query),
// and Node's own header record.
const SECRET = 'hono-secret-hono-secret-hono-secret-0004'
const { gateOptions, listen } = useDevnetBed(SECRET)

async function passFor(route: string, origin: string): Promise<string> {
  const claims = {
    sub: '0x00000000000000000000000000000000000aBcDe',
    scope: { routes: [route], origin },
    ttlSeconds: 600,
  }
  return (await encodePass(claims, { keyring: createKeyring(SECRET) })).token
}

for (const form of ['middleware', 'route'] as const) {
  const mount = (app: Hono<TollgateEnv>, gate: ReturnType<typeof createGate>, path: string) => {
    const handler = (c: { json: (body: unknown) => Response }) => c.json({ ok: true })
    if (form === 'middleware') {
      app.use(tollgate(gate))
      app.get(path, handler)
    } else {
      app.get(path, paidHandler(gate, handler))
    }
  }

  describe(`the Hono gate on @hono/node-server (${form})`, () => {
    test('behavior: a custom getPath of the same length as the URL path is what the gate prices', async () => {
      // `/a/…` routes as `/b/…`: a gate that priced the URL's own path would serve it free.
      const app = new Hono<TollgateEnv>({
        getPath: (request) => new URL(request.url).pathname.replace(/^\/a\//, '/b/'),
      })
      const gate = createGate(gateOptions({ routes: { 'GET /b/search': { price: '$0.001' } } }))
      mount(app, gate, '/b/search')
      const url = await listen(app)
      expect((await fetch(`${url}/a/search?q=1`)).status).toBe(402)
      const token = await passFor('GET /b/search', url)
      for (const query of ['?q=1', '?q=1', '?q=2', '']) {
        const ride = await fetch(`${url}/a/search${query}`, { headers: { 'X-Payment-Pass': token } })
        expect([query, ride.status]).toEqual([query, 200])
      }
    })

    test('behavior: a percent-encoded path is priced as Hono decodes it, with its query', async () => {
      const app = new Hono<TollgateEnv>()
      const gate = createGate(gateOptions())
      mount(app, gate, '/api/search')
      const url = await listen(app)
      expect((await fetch(`${url}/api/%73earch?q=1`)).status).toBe(402)
      const token = await passFor('GET /api/search', url)
      for (const path of ['/api/search?q=1', '/api/%73earch?q=1', '/api/search?q=1']) {
        const ride = await fetch(`${url}${path}`, { headers: { 'X-Payment-Pass': token } })
        expect([path, ride.status]).toEqual([path, 200])
      }
    })

    test('behavior: a price function reads headers by any case from Node’s record', async () => {
      const app = new Hono<TollgateEnv>()
      const price = (request: GateRequest) => (request.headers.get('X-Tier') === 'free' ? null : '$0.001')
      const gate = createGate(gateOptions({ routes: { 'GET /api/search': { price } } }))
      mount(app, gate, '/api/search')
      const url = await listen(app)
      expect((await fetch(`${url}/api/search`, { headers: { 'x-tier': 'free' } })).status).toBe(200)
      expect((await fetch(`${url}/api/search`, { headers: { 'X-TIER': 'paid' } })).status).toBe(402)
      expect((await fetch(`${url}/api/search`)).status).toBe(402)
    })
  })
}
