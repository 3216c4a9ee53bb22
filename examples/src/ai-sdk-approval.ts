import { generateText, type LanguageModel, type ModelMessage, type ToolSet } from 'ai'

/** Asks the user before a paid tool call that needs approval (AI SDK 6), then lets the SDK go on. */
export async function answerWithApproval(
  model: LanguageModel,
  tools: ToolSet,
  messages: ModelMessage[],
  askTheUser: (toolCall: { toolName: string; input: unknown }) => Promise<boolean>,
) {
  // #region approval
  const first = await generateText({ model, tools, messages })
  const request = first.content.find((part) => part.type === 'tool-approval-request')
  if (request === undefined) return first
  const approved = await askTheUser(request.toolCall) // your UI
  const second = await generateText({
    model,
    tools,
    messages: [
      ...messages,
      ...first.response.messages,
      {
        role: 'tool',
        content: [{ type: 'tool-approval-response', approvalId: request.approvalId, approved }],
      },
    ],
  })
  // #endregion approval
  return second
}
