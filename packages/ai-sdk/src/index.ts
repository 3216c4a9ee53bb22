/**
 * @module @tollgate/ai-sdk
 * Paid HTTP endpoints as Vercel AI SDK tools. The Tollgate client in `@tollgate/core` pays each
 * call within its spending policy; this package only turns tool calls into requests, answers (or
 * payment problems) into tool results, and maps the SDK's tool approval onto the policy's.
 */

export type {
  PaidEndpoint as PaidTool,
  PaidEndpointClient as PaidToolsClient,
  PaidEndpointParameter as PaidToolParameter,
  PaymentProblem,
} from '@tollgate/core'
export {
  type PaidToolOutput,
  type PaidToolsOptions,
  type PaymentSummary,
  paidTools,
} from './paid-tools.js'
export {
  type TollgateToolApproval,
  type TollgateToolApprovalStatus,
  tollgateToolApproval,
} from './tollgate-tool-approval.js'
