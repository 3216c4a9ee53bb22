import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import {
  type PaymentRequired,
  parsePaymentRequired,
  parseSettleResponse,
  type SettleResponse,
} from '@tollgate/core'
import { metaKeys } from './meta-keys.js'

const MAX_BYTES = 65_536

/**
 * Reads what an untrusted tool result says about payment: the `PaymentRequired` of an
 * `isError` result (from `structuredContent`, else the JSON of `content[0].text`) and the
 * `SettleResponse` in `_meta["x402/payment-response"]`. Both go through core's strict schemas;
 * anything malformed, too large or of another version reads as absent.
 * @internal
 * @example const { paymentRequired, settle } = readX402Result(await client.callTool({ name }))
 */
export function readX402Result(result: CallToolResult): {
  paymentRequired?: PaymentRequired
  settle?: SettleResponse
} {
  const settle = validate(result._meta?.[metaKeys.paymentResponse], parseSettleResponse)
  if (result.isError !== true) return settle === undefined ? {} : { settle }
  const candidate = toolErrorBody(result, isPaymentRequiredLike)
  const paymentRequired = candidate === undefined ? undefined : validate(candidate, parsePaymentRequired)
  return {
    ...(paymentRequired === undefined ? {} : { paymentRequired }),
    ...(settle === undefined ? {} : { settle }),
  }
}

/** Gate answers that mean "the same payment, later": in flight elsewhere, or settling on chain. */
const RETRYABLE = new Set(['payment_in_progress', 'settlement_pending'])

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
  const body = toolErrorBody(
    result,
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      RETRYABLE.has((value as { error?: unknown }).error as string),
  ) as { error: string; retryAfterSeconds?: unknown } | undefined
  if (body === undefined) return undefined
  const seconds = body.retryAfterSeconds
  const valid = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
  return { code: body.error, ...(valid ? { retryAfterSeconds: seconds } : {}) }
}

// An error result's body: its `structuredContent` when that is what is looked for, else the JSON
// of its first text block (bounded), else undefined.
function toolErrorBody(result: CallToolResult, wanted: (value: unknown) => boolean): unknown {
  if (wanted(result.structuredContent)) return result.structuredContent
  const first = result.content[0]
  if (first?.type !== 'text' || first.text.length > MAX_BYTES) return undefined
  try {
    const parsed: unknown = JSON.parse(first.text)
    return wanted(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

function isPaymentRequiredLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { x402Version?: unknown }).x402Version === 2 &&
    Array.isArray((value as { accepts?: unknown }).accepts)
  )
}

// Core's schemas check the objects as they are; the size bound keeps a hostile server's giant
// object from being walked.
function validate<T>(value: unknown, parse: (value: unknown) => T): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  try {
    if (JSON.stringify(value).length > MAX_BYTES) return undefined
    return parse(value)
  } catch {
    return undefined
  }
}
