/**
 * @module @tollgate/ai-sdk
 * Paid HTTP endpoints as Vercel AI SDK tools (v6 and v7). The Tollgate client in `@tollgate/core`
 * pays each call within its spending policy; this package only turns tool calls into requests,
 * answers (or payment problems) into tool results, and maps the SDK's tool approval onto the
 * policy's. The same `PaidTool` definitions work with `@tollgate/langchain` and `@tollgate/mcp`.
 */

export type {
  PaidEndpoint as PaidTool,
  PaidEndpointClient as PaidToolsClient,
  PaidEndpointParameter as PaidToolParameter,
  PaymentProblem,
} from '@tollgate/core'
export type { PaidToolsShorthand, PaidToolsWallet } from '@tollgate/core/evm'
export {
  type CreatePaidToolsOptions,
  createPaidTools,
  type PaidToolOutput,
  type PaidToolsOptions,
  type PaymentSummary,
  paidTools,
} from './create-paid-tools.js'
export {
  type TollgateToolApproval,
  type TollgateToolApprovalStatus,
  tollgateToolApproval,
} from './tollgate-tool-approval.js'
