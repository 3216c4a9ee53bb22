import { formatAmount } from '../amount/format-amount.js'
import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { PolicyPayment, PolicyQuote } from './types.js'

/**
 * Validates a quote and describes its payment for people and hooks, valued with the policy's own
 * registry (never with decimals a server sent).
 *
 * @example describePayment({ url, requirements, asset, amount }, registry).amountFormatted // '0.01'
 * @throws {TollgateError} `invalid_payment_requirements` for a malformed quote or an amount that is
 * not the requirements' amount
 * @internal
 */
export function describePayment(input: PolicyQuote, registry: ChainRegistry): PolicyPayment {
  const requirements = input?.requirements
  if (
    typeof input?.url !== 'string' ||
    typeof requirements !== 'object' ||
    requirements === null ||
    typeof requirements.network !== 'string' ||
    typeof requirements.asset !== 'string' ||
    typeof requirements.scheme !== 'string' ||
    typeof requirements.payTo !== 'string' ||
    typeof input.asset !== 'object' ||
    input.asset === null
  ) {
    throw new TollgateError(
      'invalid_payment_requirements',
      'A policy quote needs a url, requirements { scheme, network, asset, amount, payTo } and an asset.',
    )
  }
  if (typeof input.amount !== 'bigint' || requirements.amount !== String(input.amount)) {
    throw new TollgateError(
      'invalid_payment_requirements',
      `The quoted amount ${quote(input.amount)} is not the requirements' amount ${quote(requirements.amount)}.`,
      { details: { amount: String(requirements.amount).slice(0, 80) } },
    )
  }
  const valued = registry.findAsset(requirements.network, requirements.asset)
  // Decimals come from the policy's registry; the client's description is only used for display.
  const asset = valued ?? input.asset
  return {
    url: input.url,
    network: requirements.network,
    asset,
    amount: input.amount,
    amountFormatted: formatAmount(input.amount, asset.decimals),
    ...(valued?.usdPegged ? { usd: formatAmount(input.amount, valued.decimals) } : {}),
    scheme: requirements.scheme,
    payTo: requirements.payTo,
  }
}
