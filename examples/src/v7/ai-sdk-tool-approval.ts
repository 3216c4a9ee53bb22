// AI SDK 7 only (Node 22): type-checked by the tarball test's AI SDK 7 app.

import { createPaidTools, type PaidTool, tollgateToolApproval } from '@tollgate/ai-sdk'
import { toPaidToolsClient } from '@tollgate/core/evm'
import { generateText, type LanguageModel } from 'ai'

/** Answers a prompt with paid tools; AI SDK 7 asks the user before a call that needs approval. */
export async function answer(model: LanguageModel, prompt: string, tools: PaidTool[]) {
  const client = toPaidToolsClient({
    wallet: { privateKey: process.env.AGENT_KEY as `0x${string}` },
    budget: '$5',
  })
  // #region tool-approval
  const options = { client, tools }
  return generateText({
    model,
    tools: createPaidTools(options),
    toolApproval: tollgateToolApproval(options),
    prompt,
  })
  // #endregion tool-approval
}
