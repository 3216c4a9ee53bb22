import { TollgateError } from '../errors/tollgate-error.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import { checkRequest } from './check-request.js'
import type { GateRuntime } from './gate-runtime.js'
import { keepResponse } from './keep-response.js'
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
  const light = context.headers
  const routed: GateRequest = {
    method: request.method,
    url: request.url,
    ...(context.path === undefined ? {} : { path: context.path }),
    headers: light ?? {
      get: (name) => request.headers.get(name),
    },
  }
  const signalOf = () => context.signal ?? request.signal
  const decision = await checkRequest(
    runtime,
    routed,
    context.signal === undefined ? { ...context, signalOf } : context,
  )
  if (decision.outcome === 'free') return handler(request, undefined)
  if (decision.outcome === 'rejected') return decision.response
  // A pass ride is charged nothing the requester's leaving could save: its signal is not read.
  const paid = decision.receipt.method !== 'pass'
  // A small paid body is read whole and kept for replay; a larger one streams through, unkept.
  const maxBodyBytes = decision.deferred || decision.keep !== undefined ? runtime.replayMaxBodyBytes : 0
  const run = await runPaidHandler(decision, {
    run: async () => keepResponse(await handler(request, decision.receipt), maxBodyBytes),
    statusOf: (result) => result.response.status,
    keptOf: (result) => result.kept,
    ...(paid ? { signal: signalOf() } : {}),
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
  const { result, completion } = run
  const { response } = result
  if (completion.ok && result.kept !== undefined) await decision.keep?.(result.kept)
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
