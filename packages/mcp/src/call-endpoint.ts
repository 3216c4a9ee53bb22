import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js'
import {
  type CompiledPaidEndpoint,
  callPaidEndpoint,
  describePaymentProblem,
  type Money,
  type PaidEndpointClient,
  type PaymentInfo,
  TollgateError,
} from '@tollgate/core'
import { askApproval } from './ask-approval.js'
import { jsonResult } from './json-result.js'
import { metaKeys } from './meta-keys.js'

/** What {@link callEndpoint} needs for one tool call. */
export type CallEndpointInput = {
  server: Server
  client: PaidEndpointClient
  compiled: CompiledPaidEndpoint
  /** Arguments as the client sent them; core validates them against the tool's strict schema. */
  args: unknown
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>
  maxResponseChars: number
}

/**
 * Runs one call of a paid endpoint tool: asks the user through elicitation when the tool's
 * `maxPrice` needs approval, then calls core's `callPaidEndpoint` and maps its result to MCP: the
 * data as text (and as `structuredContent` when it is a JSON object), a problem as an `isError`
 * JSON result, and what was paid as `_meta["tollgate/payment"]`.
 * @internal
 * @example server.registerTool(name, config, (args, extra) => callEndpoint({ server: server.server, client, compiled, args, extra, maxResponseChars }))
 */
export async function callEndpoint(input: CallEndpointInput): Promise<CallToolResult> {
  const { compiled, extra } = input
  const { name, maxPrice } = compiled.tool
  let approvedUpTo: Money | undefined
  // Invalid arguments are answered (`invalid_parameters`, nothing requested) before anyone is asked to pay.
  const valid = compiled.schema.safeParse(input.args).success
  if (valid && maxPrice !== undefined && input.client.policy.needsApproval(maxPrice)) {
    const price = typeof maxPrice === 'string' ? maxPrice : `${maxPrice.amount} ${maxPrice.asset}`
    const approved = await askApproval(input.server, {
      message: `Pay up to ${price} to ${hostOf(compiled.tool.endpoint)} for "${name}"?`,
      relatedRequestId: extra.requestId,
      signal: extra.signal,
    })
    if (!approved) {
      const reason = `Paying up to ${price} for "${name}" needs the user's approval, which was not given.`
      const error = new TollgateError('policy_approval_declined', reason, { details: { amount: price } })
      return jsonResult(describePaymentProblem(error), { isError: true })
    }
    approvedUpTo = maxPrice
  }
  const result = await callPaidEndpoint(input.client, compiled, input.args, {
    approvedUpTo,
    signal: extra.signal,
    maxResponseChars: input.maxResponseChars,
  })
  // A pass token is a bearer credential: the model sees that a pass paid, never the token itself.
  const payment = result.payment === undefined ? undefined : withoutPassToken(result.payment)
  const meta = payment === undefined ? {} : { _meta: { [metaKeys.tollgatePayment]: payment } }
  if (!result.ok) return { ...jsonResult(result.problem, { isError: true }), ...meta }
  const { data } = result
  // structuredContent must be a JSON object; other answers are text only.
  const structured = typeof data === 'object' && data !== null && !Array.isArray(data)
  return {
    content: [{ type: 'text', text: typeof data === 'string' ? data : JSON.stringify(data) }],
    ...(structured ? { structuredContent: data as Record<string, unknown> } : {}),
    ...meta,
  }
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host
  } catch {
    return endpoint
  }
}

function withoutPassToken(
  payment: PaymentInfo,
): Omit<PaymentInfo, 'pass'> & { pass?: { expiresAt: number } } {
  const { pass, ...rest } = payment
  return pass === undefined ? rest : { ...rest, pass: { expiresAt: pass.expiresAt } }
}
