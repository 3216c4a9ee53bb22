/**
 * @module merchant-server
 * A merchant's server built only from the public API (`createGate`, `evmNetwork`, `tollgate()`,
 * `createRedisStore`), run as a child process so the suite can kill -9 and restart it, and run
 * two of them on one Redis. Started by `startMerchant` with an IPC channel:
 *
 * - it sends `{ type: 'ready', url }` once listening, `{ type: 'warning', message }` for what the
 *   gate reports to its logger, `{ type: 'rejection', caseId, code, message }` for every error the
 *   gate's `onReject` hook sees, and `{ type: 'handler', phase, route, caseId }`
 *   when a priced handler starts (`phase: 'start'`) and when it has ended its response
 *   (`phase: 'end'`); `caseId` is the request's `x-attack-case` header;
 * - it obeys `{ type: 'release', caseId }` (a held handler goes on) and
 *   `{ type: 'clock', offsetMs }` (the gate's clock runs that far ahead of this machine's; it
 *   answers `{ type: 'clock-set', offsetMs }`).
 *
 * Configuration comes from the environment: `TOLLGATE_RPC_URL`, `TOLLGATE_REDIS_URL`,
 * `TOLLGATE_ASSET`, `TOLLGATE_PAY_TO`, `TOLLGATE_SECRET`, `TOLLGATE_SETTLER_KEY`,
 * `TOLLGATE_PUBLIC_URL`, `TOLLGATE_CHAIN_ID` and `TOLLGATE_PORT` (default 0, a free port).
 */

import type { AddressInfo } from 'node:net'
import { type CreateGateOptions, createGate } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { createRedisStore } from '@tollgate/redis'
import express, { type ErrorRequestHandler, type Request, type Response } from 'express'
import { privateKeyToAccount } from 'viem/accounts'
import { devnetFromEnv, required } from './merchant-env.js'

/** A message the merchant sends to its parent. */
export type MerchantEvent =
  | { type: 'ready'; url: string }
  | { type: 'handler'; phase: 'start' | 'end'; route: string; caseId: string }
  | { type: 'clock-set'; offsetMs: number }
  | { type: 'warning'; message: string }
  | { type: 'rejection'; caseId: string; code: string; message: string }

/** A message the parent sends to the merchant. */
export type MerchantCommand =
  /** `caseId` is `<case>#<attempt>`, the attempt empty when the request named none. */
  { type: 'release'; caseId: string } | { type: 'clock'; offsetMs: number }

/** The priced routes every merchant instance serves, with prices in the devnet's 6-decimal USDC. */
export const MERCHANT_ROUTES = {
  'GET /api/search': { price: '$0.001', description: 'Search' },
  'POST /api/post': { price: '$0.01', description: 'Publish a post' },
  'GET /api/items/:id': { price: '$0.002', description: 'One item' },
  'GET /api/stream': { price: '$0.001', description: 'Ten streamed chunks' },
  'GET /api/slow': { price: '$0.001', description: 'A handler the suite holds' },
  'GET /api/fail': { price: '$0.001', description: 'A handler that answers 500' },
  'GET /api/throw': { price: '$0.001', description: 'A handler that throws' },
  'GET /api/confirmed': { price: '$0.001', description: 'Needs 3 confirmations', confirmations: 3 },
  'POST /api/pass': {
    price: '$0.05',
    description: 'A pass for the search',
    pass: { ttlSeconds: 3600, scope: ['GET /api/search'] },
  },
  'POST /api/pass-fail': {
    price: '$0.05',
    description: 'Sells a pass, then answers 500',
    pass: { ttlSeconds: 3600, scope: ['GET /api/search'] },
  },
  'POST /api/pass-limited': {
    price: '$0.05',
    description: 'A pass for two searches',
    pass: { ttlSeconds: 3600, scope: ['GET /api/search'], uses: 2 },
  },
} satisfies CreateGateOptions['routes']

function send(event: MerchantEvent): void {
  process.send?.(event)
}

const held = new Map<string, () => void>()
const released = new Set<string>()
let clockOffsetMs = 0

process.on('message', (command: MerchantCommand) => {
  if (command.type === 'clock') {
    clockOffsetMs = command.offsetMs
    send({ type: 'clock-set', offsetMs: command.offsetMs })
  }
  if (command.type === 'release') {
    released.add(command.caseId)
    held.get(command.caseId)?.()
  }
})

/**
 * Resolves once the parent released this request's case (and attempt, the `x-attack-attempt`
 * header): how the suite holds a handler mid-way.
 */
function waitForRelease(request: Request): Promise<void> {
  const key = `${caseOf(request)}#${request.get('x-attack-attempt') ?? ''}`
  if (released.has(key)) return Promise.resolve()
  return new Promise((resolve) => held.set(key, resolve))
}

function caseOf(request: Request): string {
  return request.get('x-attack-case') ?? ''
}

/** Wraps a priced handler so the parent hears when it starts and when its response ended. */
function counted(
  route: string,
  handler: (request: Request, response: Response) => void | Promise<void>,
): (request: Request, response: Response) => Promise<void> {
  return async (request, response) => {
    const caseId = caseOf(request)
    send({ type: 'handler', phase: 'start', route, caseId })
    const done = new Promise<void>((resolve) => {
      response.once('finish', resolve)
      response.once('close', resolve)
    })
    try {
      await handler(request, response)
    } finally {
      // "end": the handler returned and its response finished or its connection closed.
      void done.then(() => send({ type: 'handler', phase: 'end', route, caseId }))
    }
  }
}

async function main(): Promise<void> {
  const { network, asset, registry } = devnetFromEnv()
  // Long enough for a loaded machine; a frozen Redis costs the cases that freeze it this much.
  const store = createRedisStore({ url: required('TOLLGATE_REDIS_URL'), commandTimeoutMs: 1_500 })
  const settlerKey = process.env.TOLLGATE_SETTLER_KEY
  const options: CreateGateOptions = {
    routes: MERCHANT_ROUTES,
    payTo: required('TOLLGATE_PAY_TO'),
    networks: [
      evmNetwork({
        network,
        rpcUrl: required('TOLLGATE_RPC_URL'),
        assets: [asset],
        blockTimeSeconds: 1,
        ...(settlerKey === undefined
          ? {}
          : { exact: { settler: privateKeyToAccount(settlerKey as `0x${string}`), receiptPollingMs: 20 } }),
      }),
    ],
    secret: required('TOLLGATE_SECRET'),
    registry,
    store,
    now: () => Date.now() + clockOffsetMs,
    // The origin of 402s and passes: a forged Host must not move them.
    publicUrl: required('TOLLGATE_PUBLIC_URL'),
    // What the gate reports without changing a decision (a hook that failed) goes to the suite.
    logger: { warn: (message) => send({ type: 'warning', message }) },
    hooks: {
      // Every refusal, in the gate's own words, for a failing case's description.
      onReject: ({ error, request }) => {
        const caseId = request.headers.get('x-attack-case') ?? ''
        send({ type: 'rejection', caseId, code: error.code, message: error.message })
      },
      // A metrics sink that fails asynchronously for the case that asks for it: hooks must be isolated.
      onPayment: async ({ request }) => {
        if (request.headers.get('x-attack-case')?.includes('[hook rejects]')) {
          throw new Error('The metrics sink is down.')
        }
      },
    },
  }
  const gate = createGate(options)

  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '16kb' }))
  app.use(tollgate(gate))
  app.get('/health', (_request, response) => {
    response.json({ ok: true })
  })
  app.get(
    '/api/search',
    counted('search', (request, response) => {
      response.json({ results: [], case: caseOf(request), payer: response.locals.tollgate?.payer })
    }),
  )
  app.post(
    '/api/post',
    counted('post', (_request, response) => {
      response.status(201).json({ id: 'post_1' })
    }),
  )
  app.get(
    '/api/items/:id',
    counted('item', (request, response) => {
      response.json({ id: request.params.id })
    }),
  )
  app.get(
    '/api/stream',
    counted('stream', async (request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' })
      for (let chunk = 1; chunk <= 9; chunk++) response.write(`chunk ${chunk}\n`)
      await waitForRelease(request)
      response.end('chunk 10\n')
    }),
  )
  app.get(
    '/api/slow',
    counted('slow', async (request, response) => {
      await waitForRelease(request)
      response.json({ slow: true })
    }),
  )
  app.get(
    '/api/fail',
    counted('fail', (_request, response) => {
      response.status(500).json({ error: 'handler_failed' })
    }),
  )
  app.get(
    '/api/throw',
    counted('throw', () => {
      throw new Error('The handler failed.')
    }),
  )
  app.get(
    '/api/confirmed',
    counted('confirmed', (_request, response) => {
      response.json({ confirmed: true })
    }),
  )
  for (const route of ['pass', 'pass-limited']) {
    app.post(
      `/api/${route}`,
      counted(route, (_request, response) => {
        response.json({ pass: response.locals.tollgate?.pass })
      }),
    )
  }
  app.post(
    '/api/pass-fail',
    counted('pass-fail', (_request, response) => {
      response.status(500).json({ error: 'handler_failed' })
    }),
  )
  app.use((_request, response) => {
    response.status(404).json({ error: 'not_found' })
  })
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    if (response.headersSent) return next(error)
    const { status } = error as { status?: unknown }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      response.status(status).json({ error: 'bad_request' })
      return
    }
    response.status(500).json({ error: 'internal_error' })
  }
  app.use(onError)

  const server = app.listen(Number(process.env.TOLLGATE_PORT ?? 0), '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  send({ type: 'ready', url: `http://127.0.0.1:${port}` })
  process.on('disconnect', () => process.exit(0))
}

main().catch((error: unknown) => {
  process.stderr.write(`merchant-server: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
