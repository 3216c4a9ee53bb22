import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpcCall } from './create-json-rpc.js'

type Answer = { result?: unknown; error?: { code?: unknown; message?: unknown } }

/**
 * Parses a JSON-RPC response body and returns the results of `calls` in order, matching answers by
 * id (`firstId` for the first call, then one more per call). A body that is not JSON, a missing
 * answer or a JSON-RPC error rejects with `rpc_unavailable`; the node's own error message and code
 * stay in `details`.
 *
 * @example const [receipt] = matchJsonRpcAnswers(text, calls, 7)
 * @throws {TollgateError} `rpc_unavailable`
 * @internal
 */
export function matchJsonRpcAnswers(text: string, calls: readonly JsonRpcCall[], firstId: number): unknown[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new TollgateError('rpc_unavailable', 'The RPC node answered with invalid JSON.', {
      retryAfter: 2,
      cause: error,
    })
  }
  const answers = Array.isArray(json) ? json : [json]
  const byId = new Map<unknown, Answer>()
  for (const answer of answers) {
    if (typeof answer === 'object' && answer !== null) byId.set((answer as { id?: unknown }).id, answer)
  }
  return calls.map((call, index) => {
    const answer = byId.get(firstId + index)
    if (answer === undefined)
      throw new TollgateError('rpc_unavailable', `The RPC node gave no answer to ${call.method}.`, {
        retryAfter: 2,
      })
    if (answer.error !== undefined) throw answerError(call.method, answer.error)
    return answer.result
  })
}

// The node's own verdict (revert, nonce too low, insufficient funds) stays readable in details.
function answerError(method: string, error: { code?: unknown; message?: unknown } | null): TollgateError {
  const rpcMessage = String(error?.message ?? 'error').slice(0, 200)
  return new TollgateError('rpc_unavailable', `The RPC node failed ${method}: ${rpcMessage}.`, {
    retryAfter: 2,
    details: {
      method,
      rpcMessage,
      ...(typeof error?.code === 'number' ? { rpcCode: error.code } : {}),
    },
  })
}
