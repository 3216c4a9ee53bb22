import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { RequestId } from '@modelcontextprotocol/sdk/types.js'

/** What {@link askApproval} needs to know. */
export type AskApprovalInput = {
  /** The sentence shown to the user, such as `Pay up to $0.60 to api.example.com for "verify_identity"?`. */
  message: string
  /** The tool call being approved, so the question travels with it (Streamable HTTP). */
  relatedRequestId: RequestId
  /** Aborts the question when the call is cancelled. */
  signal?: AbortSignal
}

/**
 * Asks the user, through MCP elicitation, to confirm a payment. True only when the client
 * declared the `elicitation` capability and the user accepted with `confirm: true`; a client
 * without elicitation, a decline, a cancel or any failure is a no, so nothing is paid.
 * @internal
 * @example if (!(await askApproval(server.server, { message, relatedRequestId: extra.requestId }))) return declined()
 */
export async function askApproval(server: Server, input: AskApprovalInput): Promise<boolean> {
  if (server.getClientCapabilities()?.elicitation === undefined) return false
  try {
    const answer = await server.elicitInput(
      {
        mode: 'form',
        message: input.message,
        requestedSchema: {
          type: 'object',
          properties: {
            confirm: { type: 'boolean', title: 'Pay', description: 'Approve this payment', default: false },
          },
          required: ['confirm'],
        },
      },
      { relatedRequestId: input.relatedRequestId, ...(input.signal ? { signal: input.signal } : {}) },
    )
    return answer.action === 'accept' && answer.content?.confirm === true
  } catch {
    return false
  }
}
