import {
  callPaidEndpoint,
  compilePaidEndpoint,
  type PaidEndpoint,
  type PaidEndpointClient,
  type PaymentInfo,
  type PaymentProblem,
  TollgateError,
} from '@tollgate/core'
import { type ToolSet, tool } from 'ai'
import { isToolCallApproved } from './is-tool-call-approved.js'

/** Options of {@link paidTools} (and of `tollgateToolApproval`). */
export type PaidToolsOptions = {
  /** The Tollgate client that pays, within its spending policy. */
  client: PaidEndpointClient
  /** The paid endpoints to expose. */
  tools: readonly PaidEndpoint[]
  /** Longest response body handed to the model, in characters; longer ones are cut with a note. Default 16000. */
  maxResponseChars?: number
}

/** What a call cost, as the model sees it (a pass's token is never shown). */
export type PaymentSummary = {
  /** Paid now, or covered by a pass bought earlier. */
  method: 'payment' | 'pass'
  /** Such as `"0.001 USDC"`. */
  amount?: string
  /** CAIP-2 network. */
  network?: string
  /** Transaction hash or signature. */
  transaction?: string
  /** Unix seconds when the pass used or bought expires. */
  passExpiresAt?: number
}

/** What a paid tool returns to the model: the data and its cost, or a structured problem. */
export type PaidToolOutput =
  | { data: unknown; payment: PaymentSummary | null }
  | (PaymentProblem & { payment?: PaymentSummary })

/**
 * Turns paid HTTP endpoints into an AI SDK `ToolSet` that pays through a Tollgate client. A call
 * returns `{ data, payment }`, or a {@link PaymentProblem} with a hint: payment problems are never
 * thrown into the agent loop. A tool that declares `maxPrice` asks for the SDK's tool approval
 * (v6 `needsApproval`) when the policy would want approval for that much; once approved, the client
 * pays up to `maxPrice` without asking the policy's `approve` callback again.
 *
 * @example
 * import { generateText, stepCountIs } from 'ai'
 * import { paidTools } from '@tollgate/ai-sdk'
 *
 * const tools = paidTools({
 *   client,
 *   tools: [{
 *     name: 'stock_price',
 *     description: 'Latest price of a stock',
 *     endpoint: 'https://api.example.com/price/{ticker}',
 *     params: { ticker: { type: 'string', description: 'Ticker symbol, such as AAPL' } },
 *     maxPrice: '$0.01',
 *   }],
 * })
 * const { text } = await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: 'Price of AAPL?' })
 * @throws {TollgateError} `config_invalid` for an invalid or duplicate tool definition (at creation, never during a call)
 */
export function paidTools(options: PaidToolsOptions): ToolSet {
  const { client } = options
  const maxResponseChars = options.maxResponseChars ?? 16_000
  const tools: ToolSet = {}
  for (const definition of options.tools) {
    if (Object.hasOwn(tools, definition.name)) {
      throw new TollgateError('config_invalid', `Paid tool "${definition.name}" is defined twice.`)
    }
    const compiled = compilePaidEndpoint(definition)
    const { maxPrice } = definition
    tools[definition.name] = tool({
      description: compiled.description,
      inputSchema: compiled.schema,
      // v6 tool approval (ignored by v5, a fallback under v7's `toolApproval`).
      ...(maxPrice === undefined ? {} : { needsApproval: () => client.policy.needsApproval(maxPrice) }),
      execute: async (input, { toolCallId, messages, abortSignal }): Promise<PaidToolOutput> => {
        // Only an approval the SDK recorded for this very call lifts the policy's own `approve`.
        const approved = maxPrice !== undefined && isToolCallApproved(messages, toolCallId)
        const result = await callPaidEndpoint(client, compiled, input, {
          approvedUpTo: approved ? maxPrice : undefined,
          signal: abortSignal,
          maxResponseChars,
        })
        const payment = result.payment === undefined ? undefined : summarize(result.payment)
        if (result.ok) return { data: result.data, payment: payment ?? null }
        return payment === undefined ? result.problem : { ...result.problem, payment }
      },
    })
  }
  return tools
}

function summarize(payment: PaymentInfo): PaymentSummary {
  return {
    method: payment.method,
    ...(payment.display === undefined ? {} : { amount: payment.display }),
    ...(payment.network === undefined ? {} : { network: payment.network }),
    ...(payment.transaction === undefined ? {} : { transaction: payment.transaction }),
    ...(payment.pass === undefined ? {} : { passExpiresAt: payment.pass.expiresAt }),
  }
}
