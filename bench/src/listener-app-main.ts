/**
 * One app of `bench:listener`, in a process of its own: `node --import tsx src/listener-app-main.ts
 * <bare|middleware|route> <requests> <runs>`. Sends `requests` requests `runs` times through
 * `@hono/node-server`'s request listener, with requests and responses that no socket carries, and
 * prints the CPU microseconds per request of each run as JSON. Every response must be a 200.
 */
import { IncomingMessage, type ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { createGate, createKeyring, encodePass } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { paidHandler, type TollgateEnv, tollgate } from '@tollgate/hono'
import { Hono } from 'hono'
import { searchLikeBody } from './search-like-handler.js'

const [form = 'bare', requestsText = '100000', runsText = '5'] = process.argv.slice(2)
const requests = Math.ceil(Number(requestsText) / 100) * 100
const runs = Number(runsText)
const secret = 'bench-listener-secret-0123456789abcdef01'
const origin = 'http://127.0.0.1:4021'
const path = '/api/search-like'

const app = new Hono<TollgateEnv>()
const handler = (c: { req: { query(name: string): string | undefined }; json(body: unknown): Response }) =>
  c.json(searchLikeBody(c.req.query('q') ?? ''))
if (form === 'bare') {
  app.get(path, handler)
} else {
  const gate = createGate({
    routes: { [`GET ${path}`]: { price: '$0.001' } },
    payTo: '0x000000000000000000000000000000000000dEaD',
    // A ride never reaches the chain: a closed port is enough.
    networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
    secret,
    // Its memory store's warning is for servers that sell; nothing is sold here.
    logger: { warn: () => {} },
  })
  if (form === 'middleware') {
    app.use(tollgate(gate))
    app.get(path, handler)
  } else if (form === 'route') {
    app.get(path, paidHandler(gate, handler))
  } else {
    throw new Error(`unknown form ${form}: bare, middleware or route`)
  }
}
const scope = { routes: [`GET ${path}`], origin }
const { token } = await encodePass(
  { sub: '0xbench', scope, ttlSeconds: 3600 },
  { keyring: createKeyring(secret) },
)

const listener = getRequestListener(app.fetch)
const statuses = new Map<number, number>()
// What the listener calls on a response; nothing is written anywhere.
const response = {
  writeHead(status: number) {
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
    return this
  },
  end() {
    return this
  },
  on() {
    return this
  },
  once() {
    return this
  },
  writableFinished: true,
} as unknown as ServerResponse

function request(): IncomingMessage {
  const incoming = new IncomingMessage(null as never)
  incoming.method = 'GET'
  incoming.url = `${path}?q=bench`
  incoming.headers = { host: '127.0.0.1:4021', 'x-payment-pass': token, connection: 'keep-alive' }
  return incoming
}

// Requests go in batches of 100, and each batch's answers are awaited (a turn of the event loop)
// before the next: the middleware answers after the turn of its promises.
async function run(): Promise<number> {
  const before = process.cpuUsage()
  for (let sent = 0; sent < requests; sent += 100) {
    for (let index = 0; index < 100; index++) void listener(request(), response)
    await new Promise((resolve) => setImmediate(resolve))
  }
  const spent = process.cpuUsage(before)
  return (spent.user + spent.system) / requests
}

// The first ride verifies the pass (a promise): wait for it, then warm up.
await listener(request(), response)
await new Promise((resolve) => setTimeout(resolve, 50))
await run()
await run()
statuses.clear()
const perRequest: number[] = []
for (let index = 0; index < runs; index++) perRequest.push(await run())
const served = statuses.get(200) ?? 0
if (served !== requests * runs || statuses.size !== 1) {
  throw new Error(`expected ${requests * runs} answers of 200, got ${JSON.stringify([...statuses])}`)
}
process.stdout.write(`${JSON.stringify({ form, perRequest })}\n`)
