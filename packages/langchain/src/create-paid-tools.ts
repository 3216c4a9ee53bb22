import { type DynamicStructuredTool, tool } from '@langchain/core/tools'
import {
  callPaidEndpoint,
  compilePaidEndpoint,
  type PaidEndpoint,
  type PaidEndpointClient,
  type PaymentInfo,
} from '@tollgate/core'

/** Options of {@link createPaidTools}. */
export type CreatePaidToolsOptions = {
  /** The Tollgate client that pays, within its spending policy. */
  client: PaidEndpointClient
  /** The paid endpoints to expose. */
  tools: readonly PaidEndpoint[]
  /** Longest response body handed to the model, in characters; longer ones are cut with a note. Default 16000. */
  maxResponseChars?: number
}

/** The artifact of every paid tool's `ToolMessage`: kept by LangChain, never sent to the model. */
export type PaidToolArtifact = {
  /** What the call cost (`method: 'pass'` when a pass covered it); null when nothing was paid. */
  payment: PaymentInfo | null
  /** The HTTP status of the answer; null when no answer came back (such as a payment refused by the policy). */
  status: number | null
  /** The problem's code when the call failed, such as `policy_budget_exceeded` or `http_404`. */
  error?: string
}

/**
 * Turns paid HTTP endpoints into LangChain tools that pay through a Tollgate client. Each tool
 * answers with `content_and_artifact`: the content is the data (or a structured payment problem
 * with a hint), the artifact a {@link PaidToolArtifact}. Payment problems are never thrown into the
 * agent loop.
 *
 * @example
 * import { createAgent } from 'langchain'
 * import { createPaidTools } from '@tollgate/langchain'
 *
 * const tools = createPaidTools({
 *   client,
 *   tools: [{
 *     name: 'stock_price',
 *     description: 'Latest price of a stock',
 *     endpoint: 'https://api.example.com/price/{ticker}',
 *     params: { ticker: { type: 'string', description: 'Ticker symbol, such as AAPL' } },
 *     maxPrice: '$0.01',
 *   }],
 * })
 * const agent = createAgent({ model: 'openai:gpt-4.1-mini', tools })
 * @throws {TollgateError} `config_invalid` for an invalid tool definition (at creation, never during a call)
 */
export function createPaidTools(options: CreatePaidToolsOptions): DynamicStructuredTool[] {
  const maxResponseChars = options.maxResponseChars ?? 16_000
  return options.tools.map((definition) => {
    const compiled = compilePaidEndpoint(definition)
    return tool(
      async (input, config): Promise<[string, PaidToolArtifact]> => {
        const result = await callPaidEndpoint(options.client, compiled, input, {
          signal: config?.signal,
          maxResponseChars,
        })
        const artifact = { payment: result.payment ?? null, status: result.status ?? null }
        if (!result.ok) return [JSON.stringify(result.problem), { ...artifact, error: result.problem.error }]
        return [typeof result.data === 'string' ? result.data : JSON.stringify(result.data), artifact]
      },
      {
        name: definition.name,
        description: compiled.description,
        schema: compiled.schema,
        responseFormat: 'content_and_artifact',
      },
    ) as DynamicStructuredTool
  })
}
