import { type Gate, type RoutePrice, TollgateError } from '@tollgate/core'
import { metaKeys } from './meta-keys.js'
import type { WithPaymentOptions } from './with-payment.js'

/**
 * The `_meta` of a tool sold with {@link withPayment}, for its `tools/list` entry: its price under
 * `metaKeys.price` (`"tollgate/price"`), read from the gate's route for the tool (`POST /<name>`),
 * so agents see what a call costs before calling. A dynamic price is marked `dynamic: true` with no
 * amounts. Pass the same `resourceUrl` as to `withPayment`, if any.
 *
 * @example
 * server.registerTool(
 *   'forecast',
 *   { description: 'Weather forecast', inputSchema: { city: z.string() }, _meta: paidToolMeta(gate, 'forecast') },
 *   withPayment(gate, 'forecast', async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] })),
 * )
 * @throws {TollgateError} `config_invalid` when no route of the gate prices the tool
 */
export function paidToolMeta(
  gate: Pick<Gate, 'discovery'>,
  toolName: string,
  options: WithPaymentOptions = {},
): { [metaKeys.price]: RoutePrice } {
  const url = new URL(options.resourceUrl ?? `mcp://tool/${encodeURIComponent(toolName)}`)
  const price = gate.discovery.priceOf('POST', url.pathname || '/')
  if (price === undefined) {
    throw new TollgateError(
      'config_invalid',
      `No route of the gate prices the tool "${toolName}" (POST ${url.pathname}): its calls would be free.`,
    )
  }
  return { [metaKeys.price]: price }
}
