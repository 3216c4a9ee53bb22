import { isSolanaError } from '@solana/kit'

/**
 * The JSON-RPC error code when the node answered with an error (a definite refusal), else undefined.
 * @example if (jsonRpcCode(error) !== undefined) throw refusal(error)
 * @internal
 */
export function jsonRpcCode(error: unknown): number | undefined {
  if (!isSolanaError(error)) return undefined
  const code = (error.context as { __code?: unknown }).__code
  return typeof code === 'number' && code <= -32000 && code >= -32768 ? code : undefined
}
