/** A chat message as the AI SDK passes it to `execute` (`ModelMessage`), reduced to what is read here. */
export type ApprovalMessage = { role: string; content: unknown }

/**
 * Whether the messages an AI SDK tool runs with hold a granted approval for this tool call: a
 * `tool-approval-request` for `toolCallId` answered by a `tool-approval-response` with
 * `approved: true`. The SDK executes such a call only after that answer, so the owner has approved.
 *
 * @example
 * execute: async (input, { toolCallId, messages }) => {
 *   const approved = isToolCallApproved(messages, toolCallId)
 * }
 */
export function isToolCallApproved(messages: readonly ApprovalMessage[], toolCallId: string): boolean {
  const approvalIds = new Set<string>()
  let approved = false
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue
    for (const part of message.content as {
      type?: unknown
      toolCallId?: unknown
      approvalId?: unknown
      approved?: unknown
    }[]) {
      if (
        message.role === 'assistant' &&
        part.type === 'tool-approval-request' &&
        part.toolCallId === toolCallId
      ) {
        approvalIds.add(String(part.approvalId))
      } else if (
        message.role === 'tool' &&
        part.type === 'tool-approval-response' &&
        approvalIds.has(String(part.approvalId))
      ) {
        // The latest answer counts.
        approved = part.approved === true
      }
    }
  }
  return approved
}
