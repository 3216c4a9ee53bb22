// A Cloudflare Worker (also Deno: `Deno.serve(worker.fetch)`, Bun: `export default worker`).
import { createGate, type FetchHandler, toFetchHandler } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'

type Env = { RPC_URL: string; TOLLGATE_SECRET: string }

let handler: FetchHandler | undefined

/** One gate per isolate, built from the Worker's bindings on the first request. */
function handlerFor(env: Env): FetchHandler {
  handler ??= toFetchHandler(
    createGate({
      routes: { 'GET /api/weather': { price: '$0.01', description: 'Weather now' } },
      payTo: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', // yours
      networks: [evmNetwork({ network: 'eip155:31337', rpcUrl: env.RPC_URL })],
      secret: env.TOLLGATE_SECRET,
      // store: a durable one in production (the memory store lives and dies with the isolate)
    }),
    (_request, receipt) => Response.json({ city: 'Lisbon', celsius: 21, paidBy: receipt?.payer }),
    { clientIp: (request) => request.headers.get('cf-connecting-ip') ?? undefined },
  )
  return handler
}

export default {
  fetch: (request: Request, env: Env) => handlerFor(env)(request),
}
