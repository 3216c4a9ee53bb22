import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js'
import {
  type Client,
  compilePaidEndpoint,
  type PaidEndpoint,
  type PaidEndpointClient,
  TollgateError,
} from '@tollgate/core'
import { type PaidToolsShorthand, toPaidToolsClient } from '@tollgate/core/evm'
import { z } from 'zod/v4'
import { callEndpoint } from './call-endpoint.js'
import { jsonResult } from './json-result.js'
import { keepInvalidArguments } from './keep-invalid-arguments.js'
import { summarizePayments } from './summarize-payments.js'

/**
 * A paid HTTP endpoint exposed as an MCP tool: core's `PaidEndpoint` (name, description, display
 * `title`, endpoint, method, `params` as a zod object, a zod raw shape or plain specs, body,
 * headers, `maxPrice`), the same definition `@tollgate/langchain` and `@tollgate/ai-sdk` take.
 */
export type PaidTool = PaidEndpoint

/** @deprecated Renamed {@link PaidTool}, the name every Tollgate tool adapter uses. */
export type PaidEndpointTool = PaidTool

/** The parts of a Tollgate client the server uses: a client from any copy of `@tollgate/core` fits. */
export type PaidMcpClient = PaidEndpointClient & Pick<Client, 'spent' | 'ledger'>

/**
 * Options of {@link createPaidMcpServer}: a Tollgate `client` (`createClient` of `@tollgate/core`),
 * or the shorthand `{ wallet: { privateKey, rpcUrl }, budget }` from which the client is built.
 */
export type CreatePaidMcpServerOptions = ({ client: PaidMcpClient } | PaidToolsShorthand) & {
  /** The endpoints to expose. */
  tools: readonly PaidTool[]
  /** Server name announced to clients. Default `"tollgate"`. */
  name?: string
  /** Server version announced to clients. Default `"0.0.0"`. */
  version?: string
  /** Longest response body handed to the model, in characters; longer ones are cut with a note. Default 16000. */
  maxResponseChars?: number
}

/** @deprecated Renamed {@link CreatePaidMcpServerOptions}. */
export type PaidMcpServerOptions = CreatePaidMcpServerOptions

const RESERVED = new Set(['get_budget', 'list_payments'])

/**
 * Creates an MCP server whose tools call paid HTTP endpoints through a Tollgate client (core's
 * `callPaidEndpoint`), so every payment runs through its spending policy and ledger and the model
 * never handles a payment. A tool's `maxPrice` is a hard ceiling: a higher price is refused with
 * `price_above_limit`. It also has `get_budget` and `list_payments`. A problem is a tool result
 * with `isError: true` and core's `PaymentProblem` (`{ error, message, hint, price?, … }`), never a
 * protocol error; arguments that do not fit a tool's schema come back as the `invalid_parameters`
 * problem, with nothing requested or paid. Payments that need approval are confirmed by the user through MCP elicitation
 * (for tools with `maxPrice`), and declined without paying when the client cannot ask.
 *
 * @example
 * const server = createPaidMcpServer({
 *   wallet: { privateKey: process.env.AGENT_KEY, rpcUrl: process.env.RPC_URL },
 *   budget: '$5',
 *   tools: [{
 *     name: 'get_price', description: 'Price of a ticker', endpoint: 'https://api.example.com/price/{ticker}',
 *     params: { ticker: z.string() }, maxPrice: '$0.01',
 *   }],
 * })
 * await serveStdio(server)
 * @throws {TollgateError} `config_invalid` for duplicate or reserved tool names, an invalid tool
 * definition (core's `compilePaidEndpoint`), or neither a client nor a wallet
 */
export function createPaidMcpServer(options: CreatePaidMcpServerOptions): McpServer {
  const client = toPaidToolsClient<PaidMcpClient>(options) as PaidMcpClient
  const maxResponseChars = options.maxResponseChars ?? 16_000
  if (!Array.isArray(options.tools)) {
    throw new TollgateError('config_invalid', 'Paid tools need `tools`, an array of tool definitions.')
  }
  const server = new McpServer({ name: options.name ?? 'tollgate', version: options.version ?? '0.0.0' })
  const names = new Set<string>()

  for (const tool of options.tools) {
    const compiled = compilePaidEndpoint(tool)
    if (RESERVED.has(tool.name) || names.has(tool.name)) {
      throw new TollgateError('config_invalid', `The tool name "${tool.name}" is taken.`)
    }
    names.add(tool.name)
    server.registerTool(
      tool.name,
      {
        description: compiled.description,
        ...(tool.title === undefined ? {} : { title: tool.title }),
        inputSchema: compiled.schema,
        annotations: { openWorldHint: true },
      },
      (args: unknown, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) =>
        callEndpoint({
          server: server.server,
          client,
          compiled,
          args,
          extra,
          maxResponseChars,
        }),
    )
  }

  keepInvalidArguments(server, names)
  server.registerTool(
    'get_budget',
    {
      description: 'What the wallet has spent and what remains of its budget, in USD and per asset.',
      annotations: { readOnlyHint: true },
    },
    async () => jsonResult((await client.spent()) as unknown as Record<string, unknown>),
  )
  server.registerTool(
    'list_payments',
    {
      description: 'The most recent payments made by this wallet, newest first.',
      inputSchema: z.strictObject({
        limit: z.number().int().min(1).max(100).optional().describe('How many payments; default 20.'),
      }),
      annotations: { readOnlyHint: true },
    },
    async ({ limit }) =>
      jsonResult({ payments: summarizePayments(await client.ledger.records(), limit ?? 20) }),
  )
  return server
}

/**
 * @deprecated Renamed {@link createPaidMcpServer}, after the `create…` factories of every Tollgate adapter.
 * @example const server = paidMcpServer({ client, tools: [priceTool] })
 * @throws {TollgateError} `config_invalid`, as {@link createPaidMcpServer}
 */
export const paidMcpServer: (options: CreatePaidMcpServerOptions) => McpServer = createPaidMcpServer
