import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/** Gate answers that mean "the same payment, later": in flight elsewhere, or settling on chain. */
const RETRYABLE = new Set(['payment_in_progress', 'settlement_pending'])
const MAX_TEXT = 65_536

/**
 * Reads a tool error that asks to resend the same payment later: the gate's `{ error,
 * retryAfterSeconds }` for `payment_in_progress` (another request holds this payment right now) or
 * `settlement_pending` (its settlement is on its way). Anything else reads as undefined.
 * @internal
 * @example const retryable = readRetryable(result) // { code: 'settlement_pending', retryAfterSeconds: 2 }
 */
export function readRetryable(
  result: CallToolResult,
): { code: string; retryAfterSeconds?: number } | undefined {
  if (result.isError !== true) return undefined
  let body: unknown = result.structuredContent
  const first = result.content[0]
  if (body === undefined && first?.type === 'text' && first.text.length <= MAX_TEXT) {
    try {
      body = JSON.parse(first.text)
    } catch {
      return undefined
    }
  }
  if (typeof body !== 'object' || body === null) return undefined
  const { error, retryAfterSeconds } = body as { error?: unknown; retryAfterSeconds?: unknown }
  if (typeof error !== 'string' || !RETRYABLE.has(error)) return undefined
  const seconds =
    typeof retryAfterSeconds === 'number' && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0
      ? retryAfterSeconds
      : undefined
  return { code: error, ...(seconds === undefined ? {} : { retryAfterSeconds: seconds }) }
}
