import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Client, Money, PaymentInfo } from '@tollgate/core'
import { metaKeys } from './meta-keys.js'
import { readRetryable, readX402Result } from './read-x402-result.js'

/** Options of {@link callPaidTool}. */
export type CallPaidToolOptions = {
  /**
   * The URL the policy checks (`allowedDomains`) and the ledger records. Default the server's
   * `resource.url`, which the server chooses: set this to a URL of the server you connected to
   * when the policy has an allowlist.
   */
  url?: string
  /** The owner already approved paying up to this much for this call. */
  approvedUpTo?: Money
  /** MCP request options (timeout, signal) for both calls. */
  requestOptions?: RequestOptions
  /**
   * Resending the same payment when the server answers `payment_in_progress` (another request
   * holds it right now) or `settlement_pending` (its settlement is on its way): at most
   * `maxAttempts` resends (default 12, so they outlast the 10 s a crashed gate's claim lease
   * lives by default), each after the server's `retryAfterSeconds` (default 1 s), never longer
   * than `maxDelayMs` (default 5000).
   */
  retry?: { maxAttempts?: number; maxDelayMs?: number }
}

/** What {@link callPaidTool} returns. */
export type CallPaidToolResult = {
  /** The tool's result: the paid one, or the first one when no payment was asked. */
  result: CallToolResult
  /** What the call cost; undefined when nothing was paid. */
  payment?: PaymentInfo
}

/**
 * Calls a tool of a server that uses the x402 MCP transport. When the result asks for payment,
 * the Tollgate client pays it within its spending policy (`client.pay`), the call is sent once
 * more with `_meta["x402/payment"]`, and the outcome is reported to the client's ledger. At most
 * one payment per call: a second payment request is a refusal, never a second payment. When the
 * paid call fails without an answer, the payment is kept reusable (`lost()`) and the error rethrown:
 * the same call made again (same tool, same arguments) resends it and gets the kept result.
 *
 * @example
 * const { result, payment } = await callPaidTool(mcpClient, tollgateClient, { name: 'forecast', arguments: { city: 'Paris' } })
 * @throws {TollgateError} from `client.pay`: `policy_*`, `no_payable_option`, `wallet_*`; `payment_rejected`
 * when the server refuses the payment (its code in `details.code`)
 */
export async function callPaidTool(
  mcpClient: Pick<McpClient, 'callTool'>,
  client: Pick<Client, 'pay'>,
  call: CallToolRequest['params'],
  options: CallPaidToolOptions = {},
): Promise<CallPaidToolResult> {
  const first = (await mcpClient.callTool(call, undefined, options.requestOptions)) as CallToolResult
  const { paymentRequired } = readX402Result(first)
  if (paymentRequired === undefined) return { result: first }
  const pending = await client.pay(paymentRequired, {
    url: options.url ?? paymentRequired.resource.url,
    // A call retried after a lost answer (same tool, same arguments) resends its payment.
    request: JSON.stringify({ name: call.name, arguments: call.arguments ?? {} }),
    ...(options.approvedUpTo === undefined ? {} : { approvedUpTo: options.approvedUpTo }),
    ...(options.requestOptions?.signal ? { signal: options.requestOptions.signal } : {}),
  })
  let payload = pending.payload
  let resends = 0
  const maxResends = options.retry?.maxAttempts ?? 12
  const maxDelayMs = options.retry?.maxDelayMs ?? 5000
  for (;;) {
    let second: CallToolResult
    try {
      second = (await mcpClient.callTool(
        { ...call, _meta: { ...call._meta, [metaKeys.payment]: payload } },
        undefined,
        options.requestOptions,
      )) as CallToolResult
    } catch (error) {
      // The answer never arrived, so the server may have accepted the payment: keep it reusable.
      pending.lost()
      throw error
    }
    const answer = readX402Result(second)
    if (answer.paymentRequired !== undefined) {
      const code = answer.paymentRequired.error ?? 'payment_required'
      // A `tx` transfer the server cannot see yet is proven again, never paid again.
      const next = await pending.retry(answer.paymentRequired, code).catch(async (error: unknown) => {
        await pending.rejected(code)
        throw error
      })
      if (next === undefined) throw await pending.rejected(code)
      payload = next
      continue
    }
    const retryable = readRetryable(second)
    if (retryable !== undefined && resends < maxResends) {
      // The same payment, later: it is held by another request or settling, never paid again.
      resends++
      const waitMs = Math.min((retryable.retryAfterSeconds ?? 1) * 1000, maxDelayMs)
      await sleep(waitMs, options.requestOptions?.signal)
      continue
    }
    if (retryable !== undefined) {
      // Still held or settling after every resend: the payment may yet be taken, so it stays
      // reserved and reusable, and the same call made later resends it.
      pending.lost()
      return { result: second }
    }
    if (second.isError === true) {
      // The tool failed, so the gate kept the payment unused (a tx proof is released, exact is not settled).
      await pending.rejected('tool_failed')
      return { result: second }
    }
    return { result: second, payment: await pending.accepted(answer.settle) }
  }
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, milliseconds)
    const abort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', abort, { once: true })
  })
}
