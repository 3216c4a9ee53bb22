import { TollgateError } from '../errors/tollgate-error.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import { checkRequest } from './check-request.js'
import type { GateRuntime } from './gate-runtime.js'
import { type KeptResponse, keepResponse } from './keep-response.js'
import { runPaidHandler } from './run-paid-handler.js'

import type { Gate, GateContext, GateRequest, PaymentReceipt } from './types.js'

/**
 * Runs a fetch-style handler behind the gate: checks, runs, completes, and returns the response
 * with `PAYMENT-RESPONSE`, or the 402/error response. The request's `signal` (or `context.signal`)
 * tells when the requester left.
 * @internal
 */
export async function handleRequest(
  runtime: GateRuntime,
  request: Request,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  context: GateContext = {},
): ReturnType<Gate['handle']> {
  // The routed path, when the adapter knows it, replaces the one in the URL (built from `Host`).
  // Headers and the signal are read only when needed: some servers build them on first access, and
  // a free request or a pass ride needs no signal at all.
  const routed: GateRequest = {
    method: request.method,
    url: request.url,
    headers: context.headers ?? {
      get: (name) => request.headers.get(name),
    },
  }
  if (context.path !== undefined) routed.path = context.path
  const signalOf = () => context.signal ?? request.signal
  const checked = checkRequest(runtime, routed, context, signalOf)
  // A pass ride is decided without a promise: waiting for none saves a turn of the microtask queue.
  const decision = checked instanceof Promise ? await checked : checked
  if (decision.outcome === 'free') return handler(request, undefined)
  if (decision.outcome === 'rejected') return decision.response
  const { receipt } = decision
  // A small paid body is read whole and kept for replay; a larger one streams through, unkept.
  const maxBodyBytes = decision.deferred || decision.keep !== undefined ? runtime.replayMaxBodyBytes : 0
  let kept: KeptResponse | undefined
  const run = await runPaidHandler(decision, {
    run:
      maxBodyBytes === 0
        ? () => handler(request, receipt)
        : async () => {
            const read = await keepResponse(await handler(request, receipt), maxBodyBytes)
            kept = read.kept
            return read.response
          },
    statusOf: (response) => response.status,
    keptOf: () => kept,
    // A pass ride is charged nothing the requester's leaving could save: its signal is not read.
    signal: receipt.method === 'pass' ? undefined : signalOf(),
  })
  if (run.outcome === 'aborted') {
    return createErrorResponse(
      new TollgateError('request_aborted', 'The requester left before the request was served.'),
    )
  }
  if (run.outcome === 'failed') {
    runtime.logger.warn('A paid handler failed; the payment was not consumed.', run.error)
    const error = new TollgateError('service_failed', 'The service failed; the payment was not consumed.', {
      cause: run.error,
    })
    const headers = run.completion.ok ? run.completion.headers : undefined
    return createErrorResponse(error, headers === undefined ? {} : { headers })
  }
  const { result: response, completion } = run
  if (completion.ok && kept !== undefined) await decision.keep?.(kept)
  if (!completion.ok) {
    await response.body?.cancel().catch(() => {})
    return completion.response
  }
  return withHeaders(response, completion.headers)
}

/**
 * The response with `added` set on it: in place when its headers can change (a response the
 * handler built), so servers with a fast path for their own responses keep it and the body is not
 * wrapped again; else (a `fetch` answer's immutable headers) a copy.
 */
function withHeaders(response: Response, added: Headers): Response {
  try {
    for (const [name, value] of added) response.headers.set(name, value)
    return response
  } catch {
    const headers = new Headers(response.headers)
    for (const [name, value] of added) headers.set(name, value)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}
