import { checkRequest } from './check-request.js'
import type { GateRuntime } from './gate-runtime.js'
import type { Gate, GateContext, PaymentReceipt } from './types.js'

/**
 * Runs a fetch-style handler behind the gate: checks, runs, completes, and returns the response
 * with `PAYMENT-RESPONSE`, or the 402/error response.
 * @internal
 */
export async function handleRequest(
  runtime: GateRuntime,
  request: Request,
  handler: (request: Request, receipt: PaymentReceipt | undefined) => Response | Promise<Response>,
  context?: GateContext,
): ReturnType<Gate['handle']> {
  const decision = await checkRequest(runtime, request, context)
  if (decision.outcome === 'free') return handler(request, undefined)
  if (decision.outcome === 'rejected') return decision.response
  let response: Response
  try {
    response = await handler(request, decision.receipt)
  } catch (error) {
    await decision.complete(500)
    throw error
  }
  const completion = await decision.complete(response.status)
  if (!completion.ok) {
    await response.body?.cancel().catch(() => {})
    return completion.response
  }
  const headers = new Headers(response.headers)
  for (const [name, value] of decision.headers) headers.set(name, value)
  for (const [name, value] of completion.headers) headers.set(name, value)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}
