import { TollgateError } from '../errors/tollgate-error.js'
import { createErrorResponse } from '../protocol/create-error-response.js'
import { checkRequest } from './check-request.js'
import type { GateRuntime } from './gate-runtime.js'
import { type KeptResponse, keepResponse } from './keep-response.js'
import { runPaidHandler } from './run-paid-handler.js'

import type { Gate, GateContext, GateDecision, GatePaid, GateRequest, PaymentReceipt } from './types.js'

/**
 * Runs a fetch-style handler behind the gate: checks, runs, completes, and returns the response
 * with `PAYMENT-RESPONSE`, or the 402/error response. The request's `signal` (or `context.signal`)
 * tells when the requester left. Answers without a promise when nothing needs waiting for: a
 * discovery document, or a free route or a ride on a known pass whose handler answered at once.
 * Never throws: a handler's error on a free route rejects the promise returned instead.
 * @internal
 */
export function handleRequest(
  runtime: GateRuntime,
  request: Request,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  context: GateContext = {},
): ReturnType<Gate['serve']> {
  // The routed path, when the adapter knows it, replaces the one in the URL (built from `Host`).
  // Headers and the signal are read only when needed: some servers build them on first access, and
  // a free request or a pass ride needs no signal at all.
  const headers = context.headers ?? { get: (name: string) => request.headers.get(name) }
  const routed: GateRequest =
    context.path === undefined
      ? { method: request.method, url: request.url, headers }
      : { method: request.method, url: request.url, path: context.path, headers }
  const checked = checkRequest(runtime, routed, context, request)
  // A pass ride is decided without a promise: waiting for none saves a turn of the microtask queue.
  return checked instanceof Promise
    ? checked.then((decision) => answer(runtime, request, handler, context, decision))
    : answer(runtime, request, handler, context, checked)
}

function answer(
  runtime: GateRuntime,
  request: Request,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  context: GateContext,
  decision: GateDecision,
): Response | Promise<Response> {
  if (decision.outcome === 'rejected') return decision.response
  if (decision.outcome === 'free') {
    try {
      return handler(request, undefined)
    } catch (error) {
      return Promise.reject(error)
    }
  }
  // A small paid body is read whole and kept for replay; a larger one streams through, unkept.
  const maxBodyBytes = decision.deferred || decision.keep !== undefined ? runtime.replayMaxBodyBytes : 0
  // A pass ride with nothing to keep settles nothing: no signal to watch and no completion to wait for.
  if (maxBodyBytes === 0 && decision.receipt.method === 'pass' && !decision.settles) {
    return ride(runtime, decision, handler, request)
  }
  return servePaid(runtime, request, handler, context, decision, maxBodyBytes)
}

/**
 * Runs the handler of a decision that settles nothing: {@link GatePaid.headersFor} is all its
 * completion would say, so a handler that answers at once is answered at once.
 */
function ride(
  runtime: GateRuntime,
  decision: GatePaid,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  request: Request,
): Response | Promise<Response> {
  let result: Response | PromiseLike<Response>
  try {
    result = handler(request, decision.receipt)
  } catch (error) {
    return failedResponse(runtime, error, decision.headersFor(500))
  }
  if (!isPromiseLike(result)) return withHeaders(result, decision.headersFor(result.status))
  return Promise.resolve(result)
    .then((response) => withHeaders(response, decision.headersFor(response.status)))
    .catch((error: unknown) => failedResponse(runtime, error, decision.headersFor(500)))
}

async function servePaid(
  runtime: GateRuntime,
  request: Request,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  context: GateContext,
  decision: GatePaid,
  maxBodyBytes: number,
): Promise<Response> {
  const { receipt } = decision
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
    signal: receipt.method === 'pass' ? undefined : (context.signal ?? request.signal),
  })
  if (run.outcome === 'aborted') {
    return createErrorResponse(
      new TollgateError('request_aborted', 'The requester left before the request was served.'),
    )
  }
  if (run.outcome === 'failed') {
    const { completion } = run
    return failedResponse(runtime, run.error, completion.ok ? completion.headers : undefined)
  }
  const { result: response, completion } = run
  if (completion.ok && kept !== undefined) await decision.keep?.(kept)
  return completion.ok
    ? withHeaders(response, completion.headers)
    : answerInstead(response, completion.response)
}

// A handler may hand back a promise of another realm: its `then` is what counts.
function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>>).then === 'function'
}

// A paid handler threw: the payment was not consumed.
function failedResponse(runtime: GateRuntime, cause: unknown, headers: Headers | undefined): Response {
  runtime.logger.warn('A paid handler failed; the payment was not consumed.', cause)
  const error = new TollgateError('service_failed', 'The service failed; the payment was not consumed.', {
    cause,
  })
  return createErrorResponse(error, headers === undefined ? {} : { headers })
}

// The gate's answer replaces the handler's, whose body is dropped.
async function answerInstead(response: Response, answer: Response): Promise<Response> {
  await response.body?.cancel().catch(() => {})
  return answer
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
