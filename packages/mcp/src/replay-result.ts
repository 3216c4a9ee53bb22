import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { GateRejected, KeptResponse } from '@tollgate/core'
import { metaKeys } from './meta-keys.js'

/**
 * A paid tool result as the gate keeps it for replay: a JSON body, status 200.
 * @internal
 * @example const kept = keptResult({ content: [{ type: 'text', text: 'Sunny' }] })
 */
export function keptResult(result: CallToolResult): KeptResponse {
  const bytes = new TextEncoder().encode(JSON.stringify(result))
  let binary = ''
  // In slices: spreading a large array into one call overflows the stack.
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000))
  }
  return { status: 200, headers: [['content-type', 'application/json']], body: btoa(binary) }
}

/**
 * The kept tool result of a replayed payment, with the replay's settlement (`extensions.replay =
 * true`) in `_meta["x402/payment-response"]`; undefined when the refusal is no replay.
 * @internal
 * @example const replayed = replayedResult(decision)
 */
export function replayedResult(refusal: GateRejected): CallToolResult | undefined {
  const { replay, settlement } = refusal
  if (replay === undefined || settlement === undefined) return undefined
  let result: CallToolResult
  try {
    const binary = atob(replay.body)
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0))
    result = JSON.parse(new TextDecoder().decode(bytes)) as CallToolResult
  } catch {
    // Not a tool result (a route shared with an HTTP API): not ours to replay.
    return undefined
  }
  if (typeof result !== 'object' || result === null || !Array.isArray(result.content)) return undefined
  void refusal.response.body?.cancel()
  return { ...result, _meta: { ...result._meta, [metaKeys.paymentResponse]: settlement } }
}
