import type { Gate } from '@tollgate/core'
import {
  type CreateDemoApiOptions,
  checkIdentity,
  createDemoGate,
  createSearchResults,
  issueContract,
} from '@tollgate/demo-api'
import { type TollgateEnv, tollgate } from '@tollgate/hono'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/** What {@link createDemoHono} returns. */
export type DemoHono = {
  /** The Hono app: serve `app.fetch` on any runtime. */
  app: Hono<TollgateEnv>
  /** The gate in front of it. */
  gate: Gate
}

const MAX_POSTS = 1000

/**
 * Creates the demo API as a Hono app: the same priced routes, prices and answers as the Express
 * demo (`@tollgate/demo-api`), behind the same gate (`createDemoGate`), through `@tollgate/hono`.
 *
 * @example
 * const { app } = createDemoHono({ rpcUrl, network: 'eip155:31337', asset, payTo, secret })
 * serve({ fetch: app.fetch, port: 4022 })
 * @throws {TollgateError} `config_invalid` for an invalid network, payTo or secret
 */
export function createDemoHono(options: CreateDemoApiOptions): DemoHono {
  const gate = createDemoGate(options)
  const posts = new Map<string, unknown>()
  const app = new Hono<TollgateEnv>()
  // Bodies are read and parsed first, so a large or malformed one is refused before a payment is consumed.
  app.use(bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'entity_too_large' }, 413) }))
  app.use(async (c, next) => {
    if (c.req.method === 'POST' && (c.req.header('content-type') ?? '').includes('json')) {
      const parsed = await c.req.json().then(
        () => true,
        () => false,
      )
      if (!parsed) return c.json({ error: 'entity_parse_failed', message: 'The body is not JSON.' }, 400)
    }
    await next()
  })
  app.use(tollgate(gate))

  app.get('/health', (c) => c.json({ ok: true }))
  app.get('/api/search', (c) => c.json(createSearchResults((c.req.query('q') ?? '').slice(0, 500))))
  app.post('/api/post', async (c) => {
    const id = `post_${crypto.randomUUID()}`
    if (posts.size >= MAX_POSTS) posts.delete(posts.keys().next().value as string)
    const post = {
      id,
      author: c.get('tollgate')?.payer,
      publishedAt: new Date().toISOString(),
      content: await bodyOf(c.req),
    }
    posts.set(id, post)
    return c.json(post, 201)
  })
  app.post('/api/identity', async (c) => c.json(checkIdentity(await bodyOf(c.req))))
  app.post('/api/contract/issue', async (c) => c.json(issueContract(await bodyOf(c.req)), 201))
  app.post('/api/pass', (c) =>
    c.json({
      pass: c.get('tollgate')?.pass,
      howToUse:
        'Send the token as the X-Payment-Pass header on GET /api/search until expiresAt (unix seconds); ' +
        'no further payment is needed. The same pass is in the PAYMENT-RESPONSE header, under extensions.pass.',
    }),
  )
  app.notFound((c) => c.json({ error: 'not_found', message: 'No such route.' }, 404))
  app.onError((error, c) => {
    console.error(`demo-hono: ${error.stack ?? String(error)}`)
    return c.json({ error: 'internal_error', message: 'The demo API failed.' }, 500)
  })
  return { app, gate }
}

// Paid routes are lenient: any JSON object is accepted, anything else counts as `{}`.
async function bodyOf(request: { json(): Promise<unknown> }): Promise<Record<string, unknown>> {
  const value = await request.json().catch(() => undefined)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
