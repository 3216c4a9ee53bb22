/**
 * @module @tollgate/langchain
 * Paid HTTP endpoints as LangChain.js tools. The Tollgate client in `@tollgate/core` pays each
 * call within its spending policy; this package only turns tool calls into requests and answers
 * (or payment problems) into tool messages. The same `PaidTool` definitions work with
 * `@tollgate/ai-sdk` and `@tollgate/mcp`.
 */

export type {
  PaidEndpoint as PaidTool,
  PaidEndpointClient as PaidToolsClient,
  PaidEndpointParameter as PaidToolParameter,
  PaymentProblem,
} from '@tollgate/core'
export type { PaidToolsShorthand, PaidToolsWallet } from '@tollgate/core/evm'
export { type CreatePaidToolsOptions, createPaidTools, type PaidToolArtifact } from './create-paid-tools.js'
