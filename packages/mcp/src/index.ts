/**
 * @module @tollgate/mcp
 * MCP for Tollgate, both sides of a paid tool call:
 * - agents: `createPaidMcpServer` exposes paid HTTP endpoints as MCP tools that pay through a Tollgate
 *   client, inside its spending policy (core's paid-endpoint kernel, as for LangChain and the AI
 *   SDK), with approval through MCP elicitation;
 * - servers: `withPayment` puts an MCP tool behind a Tollgate gate with the x402 MCP transport
 *   (`_meta["x402/payment"]`), and `callPaidTool` pays such tools from a Tollgate client.
 * Prices, verification, policy and error codes are decided in `@tollgate/core`.
 */

import type { PaidEndpoint } from '@tollgate/core'

export type {
  PaidEndpointClient as PaidToolsClient,
  PaidEndpointParameter,
  PaidEndpointParameter as PaidToolParameter,
  PaymentProblem,
} from '@tollgate/core'
export type { PaidToolsShorthand, PaidToolsWallet } from '@tollgate/core/evm'
export {
  type CallPaidToolOptions,
  type CallPaidToolResult,
  callPaidTool,
} from './call-paid-tool.js'
export {
  type CreatePaidMcpServerOptions,
  createPaidMcpServer,
  type PaidEndpointTool,
  type PaidMcpClient,
  type PaidMcpServerOptions,
  type PaidTool,
  paidMcpServer,
} from './create-paid-mcp-server.js'
export {
  type CreateStreamableHttpHandlerOptions,
  createStreamableHttpHandler,
  type StreamableHttpHandler,
} from './create-streamable-http-handler.js'
export { metaKeys } from './meta-keys.js'
export { paymentReceipt } from './payment-receipt.js'
export { type ServeStdioOptions, type StdioServing, serveStdio } from './serve-stdio.js'
/** @deprecated Use `PaidTool['params']`: a zod object, a zod raw shape or plain parameter specs. */
export type PaidToolParams = PaidEndpoint['params']
export { paidToolMeta } from './paid-tool-meta.js'
export { type PaidToolCallback, type WithPaymentOptions, withPayment } from './with-payment.js'
