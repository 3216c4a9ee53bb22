import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  type PaymentRequired,
  type SettleResponse,
} from '@tollgate/core'
import { metaKeys } from './meta-keys.js'

const MAX_BYTES = 65_536

/**
 * Reads what an untrusted tool result says about payment: the `PaymentRequired` of an
 * `isError` result (from `structuredContent`, else the JSON of `content[0].text`) and the
 * `SettleResponse` in `_meta["x402/payment-response"]`. Both go through core's strict codecs;
 * anything malformed, too large or of another version reads as absent.
 * @internal
 * @example const { paymentRequired, settle } = readX402Result(await client.callTool({ name }))
 */
export function readX402Result(result: CallToolResult): {
  paymentRequired?: PaymentRequired
  settle?: SettleResponse
} {
  const settle = validate(result._meta?.[metaKeys.paymentResponse], (value) =>
    decodePaymentResponseHeader(encodePaymentResponseHeader(value as SettleResponse), {
      maxBytes: MAX_BYTES,
    }),
  )
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
    ? validate(candidate, (value) =>
        decodePaymentRequiredHeader(encodePaymentRequiredHeader(value as PaymentRequired), {
          maxBytes: MAX_BYTES,
        }),
      )
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

// The codecs validate base64 JSON; a round trip through them reuses the exact same checks.
function validate<T>(value: unknown, decode: (value: unknown) => T): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  try {
    return decode(value)
  } catch {
    return undefined
  }
}
