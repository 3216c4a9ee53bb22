import { randomUUID } from 'node:crypto'
import type { Gate } from '@tollgate/core'
import { tollgate } from '@tollgate/express'
import express, { type ErrorRequestHandler, type Express } from 'express'
import { checkIdentity } from './check-identity.js'
import { type CreateDemoApiOptions, createDemoGate } from './create-demo-gate.js'
import { createSearchResults } from './create-search-results.js'
import { issueContract } from './issue-contract.js'

export type { CreateDemoApiOptions, DemoAsset } from './create-demo-gate.js'

/** What {@link createDemoApi} returns. */
export type DemoApi = {
  /** The Express app, not yet listening. */
  app: Express
  /** The gate in front of it. */
  gate: Gate
}

const MAX_POSTS = 1000

/**
 * Creates the demo API: an Express app with priced routes behind a Tollgate gate that accepts
 * `tx` proofs, and x402 `exact` authorizations when a `settler` is given, in one USD stablecoin on
 * one EVM chain, and `tx` proofs of SPL transfers on a Solana cluster when `solana` is given. Used by the demos, agent tests and benchmarks.
 *
 * @example
 * const devnet = await startDevnet()
 * const { app } = createDemoApi({
 *   rpcUrl: devnet.rpcUrl,
 *   network: devnet.network,
 *   asset: { address: devnet.tokens.usdc.address, decimals: 6, symbol: 'USDC', name: 'USD Coin' },
 *   payTo: devnet.accounts[9]!.address,
 *   secret: 'a-secret-of-at-least-32-bytes-long!!',
 * })
 * app.listen(4021)
 * @throws {TollgateError} `config_invalid` for an invalid network, payTo or secret
 */
export function createDemoApi(options: CreateDemoApiOptions): DemoApi {
  const gate = createDemoGate(options)
  const posts = new Map<string, unknown>()

  const app = express()
  app.disable('x-powered-by')
  // Bodies are parsed first, so a malformed one is refused before a payment is consumed.
  app.use(express.json({ limit: '16kb' }))
  app.use(tollgate(gate))

  app.get('/health', (_request, response) => {
    response.json({ ok: true })
  })
  app.get('/api/search', (request, response) => {
    const query = [request.query.q].flat().find((value) => typeof value === 'string') ?? ''
    response.json(createSearchResults(query.slice(0, 500)))
  })
  app.post('/api/post', (request, response) => {
    const id = `post_${randomUUID()}`
    if (posts.size >= MAX_POSTS) posts.delete(posts.keys().next().value as string)
    const post = {
      id,
      author: response.locals.tollgate?.payer,
      publishedAt: new Date().toISOString(),
      content: toObject(request.body),
    }
    posts.set(id, post)
    response.status(201).json(post)
  })
  app.post('/api/identity', (request, response) => {
    response.json(checkIdentity(toObject(request.body)))
  })
  app.post('/api/contract/issue', (request, response) => {
    response.status(201).json(issueContract(toObject(request.body)))
  })
  app.post('/api/pass', (_request, response) => {
    const pass = response.locals.tollgate?.pass
    response.json({
      pass,
      howToUse:
        'Send the token as the X-Payment-Pass header on GET /api/search until expiresAt (unix seconds); ' +
        'no further payment is needed. The same pass is in the PAYMENT-RESPONSE header, under extensions.pass.',
    })
  })

  app.use((_request, response) => {
    response.status(404).json({ error: 'not_found', message: 'No such route.' })
  })
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    if (response.headersSent) return next(error)
    const { status, type } = error as { status?: unknown; type?: unknown }
    // body-parser's errors carry a 4xx status and a dotted type, such as "entity.parse.failed".
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = typeof type === 'string' ? type.replaceAll('.', '_') : 'bad_request'
      response.status(status).json({ error: code, message: (error as Error).message })
      return
    }
    process.stderr.write(`demo-api: ${(error as Error)?.stack ?? String(error)}\n`)
    response.status(500).json({ error: 'internal_error', message: 'The demo API failed.' })
  }
  app.use(onError)
  return { app, gate }
}

// Paid routes are lenient: any JSON object is accepted, anything else counts as `{}`.
function toObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
