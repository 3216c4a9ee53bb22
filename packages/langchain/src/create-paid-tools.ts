import { type DynamicStructuredTool, tool } from '@langchain/core/tools'
import {
  callPaidEndpoint,
  compilePaidEndpoint,
  type PaidEndpoint,
  type PaidEndpointClient,
  type PaymentInfo,
  TollgateError,
} from '@tollgate/core'
import { type PaidToolsShorthand, toPaidToolsClient } from '@tollgate/core/evm'

/**
 * Options of {@link createPaidTools}: a Tollgate `client`, or the shorthand `{ wallet: { privateKey,
 * rpcUrl }, budget }` from which the client is built.
 */
export type CreatePaidToolsOptions = ({ client: PaidEndpointClient } | PaidToolsShorthand) & {
  /** The paid endpoints to expose. */
  tools: readonly PaidEndpoint[]
  /** Longest response body handed to the model, in characters; longer ones are cut with a note. Default 16000. */
  maxResponseChars?: number
}

/** The artifact of every paid tool's `ToolMessage`: kept by LangChain, never sent to the model. */
export type PaidToolArtifact = {
  /**
   * What the call cost (`method: 'pass'` when a pass covered it): `amount` in atomic units, `display`
   * for people. Null when nothing was paid.
   */
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
 * const agent = createAgent({ model: 'openai:gpt-4.1-mini', tools })
 * @throws {TollgateError} `config_invalid` for an invalid or duplicate tool definition, or neither a
 * client nor a wallet (at creation, never during a call)
 */
export function createPaidTools(options: CreatePaidToolsOptions): DynamicStructuredTool[] {
  const client = toPaidToolsClient<PaidEndpointClient>(options)
  const maxResponseChars = options.maxResponseChars ?? 16_000
  if (!Array.isArray(options.tools)) {
    throw new TollgateError('config_invalid', 'Paid tools need `tools`, an array of tool definitions.')
  }
  const names = new Set<string>()
  return options.tools.map((definition) => {
    const compiled = compilePaidEndpoint(definition)
    if (names.has(definition.name)) {
      throw new TollgateError('config_invalid', `Paid tool "${definition.name}" is defined twice.`)
    }
    names.add(definition.name)
    return tool(
      async (input, config): Promise<[string, PaidToolArtifact]> => {
        const result = await callPaidEndpoint(client, compiled, input, {
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
