import type { CreateGateOptions, PaymentReceipt } from '@tollgate/core'
import type { Context, MiddlewareHandler } from 'hono'
import { createGateContext } from './create-gate-context.js'
import { resolveGate, type TollgateGate } from './resolve-gate.js'

/** What `tollgate()` adds to Hono's context: `c.get('tollgate')`. */
export type TollgateVariables = {
  /** How this request was paid, set on paid and pass requests; absent on free routes. */
  tollgate?: PaymentReceipt
}

/** The Hono environment `tollgate()` works in: declare it on your app for a typed `c.get('tollgate')`. */
export type TollgateEnv = { Variables: TollgateVariables }

/**
 * Options of {@link tollgate} and `paidHandler` that concern Hono itself; prices and payments are
 * the gate's.
 */
export type TollgateOptions = {
  /**
   * The client's IP address, for the gate's per-IP rate limit, such as `getConnInfo(c).remote.address`
   * from the runtime's `hono/*` adapter, or a header your proxy sets. Only called when the gate has
   * such a limit. Default: none (set one if the gate limits per IP).
   */
  clientIp?: (c: Context) => string | undefined
}

/**
 * Puts a Tollgate gate in front of a Hono app: unpaid requests to priced routes get the gate's 402,
 * paid ones reach the handler with the receipt in `c.get('tollgate')`, and the response carries
 * `PAYMENT-RESPONSE`. The gate prices the path Hono routes (`c.req.path`), never one rebuilt from
 * `Host`; set the gate's `publicUrl` in production. A handler that throws or answers 500 or more
 * is not charged (a `tx` proof is freed for a retry). A requester gone before the handler starts
 * (the request's `signal`) is not charged and the handler does not run. For schemes that settle
 * after the handler (x402 `exact`), the answer is held back until the money moved, and a retry of
 * the same payment gets the kept answer (`Payment-Replay: true`) without running the handler.
 * Runs on every runtime Hono runs on: it uses only web `Request` and `Response`.
 *
 * @example
 * import { Hono } from 'hono'
 * import { evmNetwork } from '@tollgate/core/evm'
 * import { type TollgateEnv, tollgate } from '@tollgate/hono'
 *
 * const app = new Hono<TollgateEnv>()
 * app.use(
 *   tollgate({
 *     routes: { 'GET /api/search': { price: '$0.001', description: 'Web search' } },
 *     payTo: '0xYourAddress',
 *     networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: process.env.RPC_URL! })],
 *     secret: process.env.TOLLGATE_SECRET!,
 *   }),
 * )
 * app.get('/api/search', (c) => c.json({ results: [], paidBy: c.get('tollgate')?.payer }))
 * @throws {TollgateError} `config_invalid` (from `createGate`) when given invalid gate options
 */
export function tollgate(
  gateOrOptions: TollgateGate | CreateGateOptions,
  options: TollgateOptions = {},
): MiddlewareHandler<TollgateEnv> {
  const gate = resolveGate(gateOrOptions)
  const { clientIp } = options

  return async (c, next) => {
    let ran = false
    const context = createGateContext(c, clientIp)
    const response = await gate.handle(
      c.req.raw,
      async (_request, receipt) => {
        if (receipt !== undefined) c.set('tollgate', receipt)
        ran = true
        // Hono turns a handler's error into its error response: the status decides, as for any answer.
        await next()
        return c.res
      },
      context,
    )
    if (response === c.res) return
    // Hono merges the previous response's headers into a new one: the gate's answer must not carry
    // the handler's (a cookie of a paid answer on a refused one), so the handler's is dropped first.
    if (ran) c.res = undefined
    c.res = response
  }
}
