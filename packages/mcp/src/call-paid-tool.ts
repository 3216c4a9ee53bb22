import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js'
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Client, Money, PaymentInfo } from '@tollgate/core'
import { metaKeys } from './meta-keys.js'
import { readX402Result } from './read-x402-result.js'

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
    if (second.isError === true) {
      // The tool failed, so the gate kept the payment unused (a tx proof is released, exact is not settled).
      await pending.rejected('tool_failed')
      return { result: second }
    }
    return { result: second, payment: await pending.accepted(answer.settle) }
  }
}
