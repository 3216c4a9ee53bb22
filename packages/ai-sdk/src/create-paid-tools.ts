import {
  callPaidEndpoint,
  compilePaidEndpoint,
  type PaidEndpoint,
  type PaidEndpointClient,
  type PaymentInfo,
  type PaymentProblem,
  TollgateError,
} from '@tollgate/core'
import { type PaidToolsShorthand, toPaidToolsClient } from '@tollgate/core/evm'
import { type ToolSet, tool } from 'ai'
import { isToolCallApproved } from './is-tool-call-approved.js'

/**
 * Options of {@link createPaidTools} (and of `tollgateToolApproval`): a Tollgate `client`, or the
 * shorthand `{ wallet: { privateKey, rpcUrl }, budget }` from which the client is built.
 */
export type CreatePaidToolsOptions = ({ client: PaidEndpointClient } | PaidToolsShorthand) & {
  /** The paid endpoints to expose. */
  tools: readonly PaidEndpoint[]
  /** Longest response body handed to the model, in characters; longer ones are cut with a note. Default 16000. */
  maxResponseChars?: number
}

/** @deprecated Renamed {@link CreatePaidToolsOptions}. */
export type PaidToolsOptions = CreatePaidToolsOptions

/** What a call cost, as the model sees it (a pass's token is never shown). */
export type PaymentSummary = {
  /** Paid now, or covered by a pass bought earlier. */
  method: 'payment' | 'pass'
  /** Atomic units of `asset`, a decimal string, such as `"1000"`. */
  amount?: string
  /** Asset address, mint or `"native"`. */
  asset?: string
  /** For people, such as `"0.001 USDC"`. */
  display?: string
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
 * import { createPaidTools } from '@tollgate/ai-sdk'
 *
 * const tools = createPaidTools({
 *   wallet: { privateKey: process.env.AGENT_KEY, rpcUrl: process.env.RPC_URL },
 *   budget: '$5',
 *   tools: [{
 *     name: 'stock_price',
 *     description: 'Latest price of a stock',
 *     endpoint: 'https://api.example.com/price/{ticker}',
 *     params: { ticker: { type: 'string', description: 'Ticker symbol, such as AAPL' } },
 *     maxPrice: '$0.01',
 *   }],
 * })
 * const { text } = await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: 'Price of AAPL?' })
 * @throws {TollgateError} `config_invalid` for an invalid or duplicate tool definition, or neither a
 * client nor a wallet (at creation, never during a call)
 */
export function createPaidTools(options: CreatePaidToolsOptions): ToolSet {
  const client = toPaidToolsClient<PaidEndpointClient>(options)
  const maxResponseChars = options.maxResponseChars ?? 16_000
  if (!Array.isArray(options.tools)) {
    throw new TollgateError('config_invalid', 'Paid tools need `tools`, an array of tool definitions.')
  }
  const tools: ToolSet = {}
  for (const definition of options.tools) {
    const compiled = compilePaidEndpoint(definition)
    if (Object.hasOwn(tools, definition.name)) {
      throw new TollgateError('config_invalid', `Paid tool "${definition.name}" is defined twice.`)
    }
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
    ...(payment.amount === undefined ? {} : { amount: payment.amount }),
    ...(payment.asset === undefined ? {} : { asset: payment.asset }),
    ...(payment.display === undefined ? {} : { display: payment.display }),
    ...(payment.network === undefined ? {} : { network: payment.network }),
    ...(payment.transaction === undefined ? {} : { transaction: payment.transaction }),
    ...(payment.pass === undefined ? {} : { passExpiresAt: payment.pass.expiresAt }),
  }
}

/**
 * @deprecated Renamed {@link createPaidTools}, the name every Tollgate tool adapter uses.
 * @example const tools = paidTools({ client, tools: [priceTool] })
 * @throws {TollgateError} `config_invalid`, as {@link createPaidTools}
 */
export const paidTools: (options: CreatePaidToolsOptions) => ToolSet = createPaidTools
