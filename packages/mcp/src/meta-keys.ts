/**
 * The `_meta` keys this package reads and writes. The `x402/*` keys are the x402 MCP transport's
 * (the same as `@x402/mcp`'s `MCP_PAYMENT_META_KEY` and `MCP_PAYMENT_RESPONSE_META_KEY`).
 *
 * @example await client.callTool({ name, arguments: args, _meta: { [metaKeys.payment]: payload } })
 */
export const metaKeys = {
  /** Request `params._meta`: the x402 v2 `PaymentPayload` that pays for this call. */
  payment: 'x402/payment',
  /** Result `_meta`: the x402 v2 `SettleResponse` for the payment. */
  paymentResponse: 'x402/payment-response',
  /** Result `_meta` of `paidMcpServer` tools: what the call cost (`PaymentInfo` of `@tollgate/core`). */
  tollgatePayment: 'tollgate/payment',
  /**
   * `tools/list` entry `_meta` of a tool sold behind a gate (`paidToolMeta`): what one call costs,
   * core's `RoutePrice` (`{ route, dynamic, accepts: [{ scheme, network, asset, amount, symbol,
   * decimals, display }] }`). Advisory: the `PaymentRequired` of the call is authoritative.
   */
  price: 'tollgate/price',
} as const
