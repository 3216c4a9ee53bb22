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
  let candidate: unknown = result.structuredContent
  const first = result.content[0]
  if (!isPaymentRequiredLike(candidate) && first?.type === 'text' && first.text.length <= MAX_BYTES) {
    try {
      candidate = JSON.parse(first.text)
    } catch {
      candidate = undefined
    }
  }
  const paymentRequired = isPaymentRequiredLike(candidate)
    ? validate(candidate, parsePaymentRequired)
    : undefined
  return {
    ...(paymentRequired === undefined ? {} : { paymentRequired }),
    ...(settle === undefined ? {} : { settle }),
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
