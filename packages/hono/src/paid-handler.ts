import type { CreateGateOptions, Gate } from '@tollgate/core'
import type { Context, Env, Handler, Input } from 'hono'
import type { BlankInput } from 'hono/types'
import { createGateContext } from './create-gate-context.js'
import { resolveGate, type TollgateGate } from './resolve-gate.js'
import type { TollgateEnv, TollgateOptions } from './tollgate.js'

/**
 * A Hono handler behind a Tollgate gate, for one route: `app.get('/api/search', paidHandler(gate,
 * (c) => c.json(…)))`. It does what the `tollgate()` middleware does for the routes it covers
 * (the gate prices the path Hono routes, `c.get('tollgate')` holds the receipt, the answer
 * carries `PAYMENT-RESPONSE`, and every guarantee of the gate holds), but as the route's only
 * handler it keeps Hono's synchronous path: a ride on a pass the gate has seen before, whose
 * handler answers at once, is answered without a promise, which `@hono/node-server` writes at once.
 * Prefer it for the fastest pass path. Only the handlers it wraps are behind the gate: a priced
 * route registered without it is served unpaid, where the middleware covers every route with one
 * line. A path the gate does not price is served as is. Hono does not give a wrapped handler the
 * route's path in its types: pass it as a type argument for typed parameters
 * (`paidHandler<TollgateEnv, '/items/:id'>(gate, (c) => …)`).
 *
 * A handler that throws (or rejects) is not charged, whatever Hono answers: the gate completes it
 * as a failure (a `tx` proof is freed for a retry, an `exact` authorization is not settled), sets
 * its failure headers on the context (`c.header`), and the error goes on to Hono's error handling
 * (`app.onError`), whose answer is sent. Unlike with the middleware, which sees only the status of
 * that answer, a thrown `HTTPException` answered below 500 is not charged either, and the gate's
 * headers reach the answer only when `onError` builds it from `c` (`c.json`, `c.text`, Hono's default).
 *
 * @example
 * import { createGate } from '@tollgate/core'
 * import { type TollgateEnv, paidHandler } from '@tollgate/hono'
 * import { Hono } from 'hono'
 *
 * const gate = createGate({ routes: { 'GET /api/search': { price: '$0.001' } }, payTo, networks, secret })
 * const app = new Hono<TollgateEnv>()
 * app.get('/api/search', paidHandler(gate, (c) => c.json({ results: [], paidBy: c.get('tollgate')?.payer })))
 * @throws {TollgateError} `config_invalid` (from `createGate`) when given invalid gate options
 */
export function paidHandler<
  E extends Env = TollgateEnv,
  P extends string = string,
  I extends Input = BlankInput,
  R extends Response | Promise<Response> = Response | Promise<Response>,
>(
  gateOrOptions: TollgateGate | CreateGateOptions,
  handler: (c: Context<E, P, I>) => R,
  options: TollgateOptions = {},
): Handler<E, P, I, R> {
  const gate = resolveGate(gateOrOptions)
  // A gate from a core without `serve` still works, behind a promise.
  const serve: Gate['serve'] = (request, run, context) =>
    gate.serve === undefined ? gate.handle(request, run, context) : gate.serve(request, run, context)
  const { clientIp } = options

  return (c) => {
    // The handler's error stays Hono's to answer: the gate gets an empty 500, so it completes the
    // request as failed (not charged), and adds to it only the headers of that completion.
    let failure: { error: unknown } | undefined
    const answer = serve(
      c.req.raw,
      (_request, receipt) => {
        if (receipt !== undefined) (c as unknown as Context<TollgateEnv>).set('tollgate', receipt)
        try {
          const result: Response | PromiseLike<Response> = handler(c)
          if (!('then' in result)) return result
          return Promise.resolve(result).catch((error: unknown) => {
            failure = { error }
            return failed()
          })
        } catch (error) {
          failure = { error }
          return failed()
        }
      },
      createGateContext(c, clientIp),
    )
    return (
      answer instanceof Promise
        ? answer.then((response) => finish(c, response, failure))
        : finish(c, answer, failure)
    ) as R
  }
}

// What the gate is given for a handler that failed: an empty 500.
function failed(): Response {
  return new Response(null, { status: 500 })
}

// The gate's answer, or the handler's error again (with the gate's headers on the context) when the
// handler failed and the gate answered with the empty 500 it was given.
function finish(c: Context, response: Response, failure: { error: unknown } | undefined): Response {
  // A body means the gate answered instead (a settlement that failed): its answer is sent.
  if (failure === undefined || response.body !== null) return response
  for (const [name, value] of response.headers) c.header(name, value)
  throw failure.error
}
