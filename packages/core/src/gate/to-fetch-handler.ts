import type { Gate, GateContext, PaymentReceipt } from './types.js'

/** A fetch-style handler: what Next route handlers, Workers, Bun, Deno and Hono serve. */
export type FetchHandler = (request: Request) => Promise<Response>

/** Options of {@link toFetchHandler}. */
export type ToFetchHandlerOptions = {
  /**
   * The client's IP address, for the gate's per-IP rate limit, such as the `cf-connecting-ip`
   * header on Workers. Only called when the gate has such a limit. Default: none (set one if the
   * gate limits per IP).
   */
  clientIp?: (request: Request) => string | undefined
  /**
   * The request target as the server routes it, when it is not the path of `request.url`.
   * Default: the path and query of `request.url`.
   */
  path?: (request: Request) => string
}

/**
 * Puts a gate in front of a fetch-style handler and returns `(request) => Promise<Response>`, for
 * Next route handlers, Cloudflare Workers, Bun, Deno and any server that speaks web `Request` and
 * `Response`. It keeps every promise of `gate.handle`: unpaid requests to priced routes get the
 * 402; paid ones reach `handler` with the receipt and answer with `PAYMENT-RESPONSE`; a handler
 * that throws or answers 500 or more is not charged; an `exact` answer is held until settled; a
 * retried payment gets its kept answer. The requester's abort (`request.signal`) is passed on: a
 * requester gone before the handler starts is not charged and the handler does not run. `HEAD` is
 * priced and answered like `GET`, without a body.
 *
 * @example
 * import { createGate, toFetchHandler } from '@tollgate/core'
 * import { evmNetwork } from '@tollgate/core/evm'
 *
 * const gate = createGate({
 *   routes: { 'GET /api/search': { price: '$0.001' } },
 *   payTo: '0xYourAddress',
 *   networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: process.env.RPC_URL! })],
 *   secret: process.env.TOLLGATE_SECRET!,
 * })
 * export const GET = toFetchHandler(gate, (request, receipt) =>
 *   Response.json({ results: [], paidBy: receipt?.payer }),
 * )
 */
export function toFetchHandler(
  gate: Pick<Gate, 'handle'>,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  options: ToFetchHandlerOptions = {},
): FetchHandler {
  const run = async (request: Request, receipt: PaymentReceipt | undefined) =>
    withoutBodyFor(request, await handler(request, receipt))
  return async (request) => {
    const context: GateContext = { signal: request.signal }
    const { clientIp, path } = options
    if (clientIp !== undefined) context.clientIp = () => clientIp(request)
    if (path !== undefined) context.path = path(request)
    return withoutBodyFor(request, await gate.handle(request, run, context))
  }
}

/** A `HEAD` answer has the head of its `GET` answer and no body. */
async function withoutBodyFor(request: Request, response: Response): Promise<Response> {
  if (request.method !== 'HEAD' || response.body === null) return response
  await response.body.cancel().catch(() => {})
  return new Response(null, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
}
