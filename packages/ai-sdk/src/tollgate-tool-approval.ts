import type { PaidEndpointClient } from '@tollgate/core'
import { toPaidToolsClient } from '@tollgate/core/evm'
import type { CreatePaidToolsOptions } from './create-paid-tools.js'

/** The approval status `tollgateToolApproval` answers: AI SDK v7's `ToolApprovalStatus`, narrowed. */
export type TollgateToolApprovalStatus = 'user-approval' | 'not-applicable'

/** AI SDK v7's generic `toolApproval` function, reduced to what it reads. */
export type TollgateToolApproval = (options: { toolCall: { toolName: string } }) => TollgateToolApprovalStatus

/**
 * The same approval rule as the v6 `needsApproval` of {@link createPaidTools}, in the shape of AI SDK
 * v7's generic `toolApproval` function: a paid tool that declares `maxPrice` needs the user's
 * approval when the client's policy would ask for approval at that price; every other call
 * (including tools this package did not make) is `'not-applicable'`.
 *
 * @example
 * const options = { client, tools: [priceTool] }
 * await generateText({ model, tools: createPaidTools(options), toolApproval: tollgateToolApproval(options), prompt })
 * @throws {TollgateError} `config_invalid` for neither a client nor a wallet
 */
export function tollgateToolApproval(options: CreatePaidToolsOptions): TollgateToolApproval {
  // With the shorthand, the rule only reads the policy's options, so a client built here decides alike.
  const { policy } = toPaidToolsClient<PaidEndpointClient>(options)
  const ceilings = new Map(options.tools.map((definition) => [definition.name, definition.maxPrice]))
  return ({ toolCall }) => {
    const maxPrice = ceilings.get(toolCall.toolName)
    return maxPrice !== undefined && policy.needsApproval(maxPrice) ? 'user-approval' : 'not-applicable'
  }
}
