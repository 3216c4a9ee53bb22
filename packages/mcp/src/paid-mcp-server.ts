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
import { z } from 'zod/v4'
import { callEndpoint } from './call-endpoint.js'
import { jsonResult } from './json-result.js'
import { summarizePayments } from './summarize-payments.js'
import { type PaidToolParams, toEndpointParams } from './to-endpoint-params.js'

/**
 * A paid HTTP endpoint exposed as an MCP tool: core's `PaidEndpoint` (name, description, endpoint,
 * method, body, headers, `maxPrice`), with a display `title` and `params` that may also be a zod
 * raw shape and default to none.
 */
export type PaidEndpointTool = Omit<PaidEndpoint, 'params'> & {
  /** Display name. */
  title?: string
  /** A zod raw shape, a zod object or a map of `PaidEndpointParameter`. Unknown arguments are refused. Default none. */
  params?: PaidToolParams
}

/** The parts of a Tollgate client the server uses: a client from any copy of `@tollgate/core` fits. */
export type PaidMcpClient = PaidEndpointClient & Pick<Client, 'spent' | 'ledger'>

/** Options of {@link paidMcpServer}. */
export type PaidMcpServerOptions = {
  /** Pays for the calls, inside its spending policy (`createClient` of `@tollgate/core`). */
  client: PaidMcpClient
  /** The endpoints to expose. */
  tools: readonly PaidEndpointTool[]
  /** Server name announced to clients. Default `"tollgate"`. */
  name?: string
  /** Server version announced to clients. Default `"0.0.0"`. */
  version?: string
  /** Longest response body handed to the model, in characters; longer ones are cut with a note. Default 16000. */
  maxResponseChars?: number
}

const RESERVED = new Set(['get_budget', 'list_payments'])

/**
 * Creates an MCP server whose tools call paid HTTP endpoints through a Tollgate client (core's
 * `callPaidEndpoint`), so every payment runs through its spending policy and ledger and the model
 * never handles a payment. A tool's `maxPrice` is a hard ceiling: a higher price is refused with
 * `price_above_limit`. It also has `get_budget` and `list_payments`. A problem is a tool result
 * with `isError: true` and core's `PaymentProblem` (`{ error, message, hint, price?, … }`), never a
 * protocol error. Payments that need approval are confirmed by the user through MCP elicitation
 * (for tools with `maxPrice`), and declined without paying when the client cannot ask.
 *
 * @example
 * const server = paidMcpServer({
 *   client: createClient({ wallets: [evmWallet({ account, rpcUrls })], policy: { budget: '$5', requireApprovalAbove: '$0.50' } }),
 *   tools: [{
 *     name: 'get_price', description: 'Price of a ticker', endpoint: 'https://api.example.com/price/{ticker}',
 *     params: { ticker: z.string() }, maxPrice: '$0.01',
 *   }],
 * })
 * await serveStdio(server)
 * @throws {TollgateError} `config_invalid` for duplicate or reserved tool names, or an invalid tool
 * definition (core's `compilePaidEndpoint`)
 */
export function paidMcpServer(options: PaidMcpServerOptions): McpServer {
  const { client } = options
  const maxResponseChars = options.maxResponseChars ?? 16_000
  const server = new McpServer({ name: options.name ?? 'tollgate', version: options.version ?? '0.0.0' })
  const names = new Set<string>()

  for (const { title, params, ...tool } of options.tools) {
    if (RESERVED.has(tool.name) || names.has(tool.name)) {
      throw new TollgateError('config_invalid', `The tool name "${tool.name}" is taken.`)
    }
    names.add(tool.name)
    const compiled = compilePaidEndpoint({ ...tool, params: toEndpointParams(params) })
    server.registerTool(
      tool.name,
      {
        description: compiled.description,
        ...(title === undefined ? {} : { title }),
        inputSchema: compiled.schema,
        annotations: { openWorldHint: true },
      },
      (args: unknown, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) =>
        callEndpoint({ server: server.server, client, compiled, args, extra, maxResponseChars }),
    )
  }

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
