import type { z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'

/**
 * Validates one JSON-RPC answer against its schema. An answer that does not fit is an RPC
 * failure (`rpc_unavailable`, retryable), never a verdict about the payment.
 * @internal
 */
export function parseRpcAnswer<T>(schema: z.ZodType<T>, value: unknown, method: string): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    throw new TollgateError('rpc_unavailable', `The RPC node's answer to ${method} is malformed.`, {
      retryAfter: 2,
      cause: result.error,
    })
  }
  return result.data
}
