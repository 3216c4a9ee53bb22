import type { PaidToolsOptions } from './paid-tools.js'

/** The approval status `tollgateToolApproval` answers: AI SDK v7's `ToolApprovalStatus`, narrowed. */
export type TollgateToolApprovalStatus = 'user-approval' | 'not-applicable'

/** AI SDK v7's generic `toolApproval` function, reduced to what it reads. */
export type TollgateToolApproval = (options: { toolCall: { toolName: string } }) => TollgateToolApprovalStatus

/**
 * The same approval rule as the v6 `needsApproval` of {@link paidTools}, in the shape of AI SDK
 * v7's generic `toolApproval` function: a paid tool that declares `maxPrice` needs the user's
 * approval when the client's policy would ask for approval at that price; every other call
 * (including tools this package did not make) is `'not-applicable'`.
 *
 * @example
 * const options = { client, tools: [priceTool] }
 * await generateText({ model, tools: paidTools(options), toolApproval: tollgateToolApproval(options), prompt })
 */
export function tollgateToolApproval(
  options: Pick<PaidToolsOptions, 'client' | 'tools'>,
): TollgateToolApproval {
  const ceilings = new Map(options.tools.map((definition) => [definition.name, definition.maxPrice]))
  return ({ toolCall }) => {
    const maxPrice = ceilings.get(toolCall.toolName)
    return maxPrice !== undefined && options.client.policy.needsApproval(maxPrice)
      ? 'user-approval'
      : 'not-applicable'
  }
}
