import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js'
import {
  encodePaymentSignatureHeader,
  type Gate,
  type GateRequest,
  headerNames,
  type KeptResponse,
  type PaymentPayload,
  type PaymentRequired,
  runPaidHandler,
  type SettleResponse,
} from '@tollgate/core'
import { jsonResult } from './json-result.js'
import { metaKeys } from './meta-keys.js'
import { receiptsByRequest } from './payment-receipt.js'
import { keptResult, replayedResult } from './replay-result.js'

/** Options of {@link withPayment}. */
export type WithPaymentOptions = {
  /**
   * The URL the gate sees for this tool, and the payer sees as `resource.url`. Default
   * `mcp://tool/<name>`; the gate prices it with a route on its path, `POST /<name>`.
   */
  resourceUrl?: string
}

/** A tool callback of `McpServer.registerTool`: arguments (when the tool has any), then the request context. */
export type PaidToolCallback = (...parameters: never[]) => CallToolResult | Promise<CallToolResult>

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>

/**
 * Puts a tool behind a Tollgate gate with the x402 MCP transport. A call without
 * `_meta["x402/payment"]` gets `isError: true` with the gate's `PaymentRequired` as
 * `structuredContent` and as JSON text. A call with a payment is checked by the gate as a
 * `POST` to `mcp://tool/<name>` carrying the payload in `PAYMENT-SIGNATURE`; then the handler runs,
 * the gate completes (an `exact` payment settles only if the result is not an error), and the
 * result carries `_meta["x402/payment-response"]`. If settlement fails, the handler's result is
 * discarded and the failure is returned instead. The result is kept by the gate (up to its
 * `replay.maxBodyBytes`): the same payment sent again after a lost answer gets it back, the tool not
 * run and nothing charged again, with `extensions.replay = true` in its payment response; a larger
 * result is not kept (its payment response says `extensions.replay.kept = false`) and the payment
 * counts as consumed. Prices, verification and replay protection are the gate's.
 *
 * @example
 * const gate = createGate({ routes: { 'POST /forecast': { price: '$0.01' } }, payTo, networks, secret })
 * server.registerTool('forecast', { description: 'Weather forecast ($0.01)', inputSchema: { city: z.string() } },
 *   withPayment(gate, 'forecast', async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] })))
 */
export function withPayment<Callback extends PaidToolCallback>(
  gate: Pick<Gate, 'check'>,
  toolName: string,
  handler: Callback,
  options: WithPaymentOptions = {},
): Callback {
  const url = options.resourceUrl ?? `mcp://tool/${encodeURIComponent(toolName)}`
  const paid = async (...parameters: Parameters<Callback>): Promise<CallToolResult> => {
    const extra = parameters.at(-1) as unknown as Extra
    const payment = extra._meta?.[metaKeys.payment]
    const headers = new Headers()
    if (payment !== undefined) {
      // A string is taken as an already encoded header; an object is the PaymentPayload itself.
      headers.set(
        headerNames.paymentSignature,
        typeof payment === 'string' ? payment : encodePaymentSignatureHeader(payment as PaymentPayload),
      )
    }
    const request: GateRequest = { method: 'POST', url, headers }
    const decision = await gate.check(request, { signal: extra.signal })
    if (decision.outcome === 'free') return handler(...parameters)
    if (decision.outcome === 'rejected') {
      // The same payment sent again after a lost answer: the kept result, the tool not run again.
      const replayed = replayedResult(decision)
      return replayed ?? rejectedResult(decision)
    }
    receiptsByRequest.set(extra, decision.receipt)
    const kept = new WeakMap<CallToolResult, KeptResponse>()
    const run = await runPaidHandler(decision, {
      run: () => handler(...parameters),
      // A tool result that is an error is a failed service: the payment is not consumed.
      statusOf: (result) => (result.isError ? 500 : 200),
      // The gate keeps it (up to `replay.maxBodyBytes`) for a retry of the same payment.
      keptOf: (result) => remember(kept, result),
      signal: extra.signal,
    })
    if (run.outcome === 'aborted') {
      return jsonResult({ error: 'request_aborted', status: 499 }, { isError: true })
    }
    if (run.outcome === 'failed') throw run.error
    const { result, completion } = run
    if (!completion.ok) return rejectedResult(completion)
    let settlement = completion.settlement ?? decision.settlement
    const keptCopy = kept.get(result)
    if (decision.keep !== undefined && keptCopy !== undefined && settlement?.success === true) {
      // A `tx` payment is kept once consumed; its settlement says whether a retry can get it back.
      const replay = { kept: await decision.keep(keptCopy) }
      settlement = { ...settlement, extensions: { ...settlement.extensions, replay } }
    }
    if (settlement === undefined) return result
    return { ...result, _meta: { ...result._meta, [metaKeys.paymentResponse]: settlement } }
  }
  return paid as unknown as Callback
}

function remember(kept: WeakMap<CallToolResult, KeptResponse>, result: CallToolResult) {
  if (result.isError === true) return undefined
  const copy = keptResult(result)
  kept.set(result, copy)
  return copy
}

// The gate's refusal as a tool result: a 402 becomes the x402 MCP PaymentRequired; anything else
// (malformed payment, chain unreachable) keeps the gate's `{ error, message, details }`. The gate
// hands over its objects, so nothing is decoded from the headers it just encoded.
async function rejectedResult(refusal: {
  response: Response
  paymentRequired?: PaymentRequired
  settlement?: SettleResponse
}): Promise<CallToolResult> {
  const { response, paymentRequired, settlement } = refusal
  const meta = settlement === undefined ? undefined : { [metaKeys.paymentResponse]: settlement }
  if (paymentRequired !== undefined) {
    await response.body?.cancel()
    return jsonResult(paymentRequired as unknown as Record<string, unknown>, {
      isError: true,
      ...(meta ? { meta } : {}),
    })
  }
  const body = (await response.json()) as Record<string, unknown>
  const retryAfter = response.headers.get('retry-after')
  return jsonResult(
    {
      ...body,
      status: response.status,
      ...(retryAfter === null ? {} : { retryAfterSeconds: Number(retryAfter) }),
    },
    { isError: true, ...(meta ? { meta } : {}) },
  )
}
