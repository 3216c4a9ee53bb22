import type { PaymentRequirements } from '../protocol/types.js'
import type { ClientRuntime } from './client-runtime.js'
import { MPP_SCHEME } from './mpp-offer.js'

/**
 * Completes MPP offers whose token the client's registry knows without its EIP-712 domain: a wallet
 * reads the domain from the token itself (`Wallet.tokenDomain`, EIP-5267 or `name()`/`version()`),
 * once per token and client, into the offer's `extra.tokenDomain`. Offers it cannot complete stay
 * as they are (skipped later as `eip712_domain_unknown`); every other offer is returned unchanged.
 * @example const accepts = await readTokenDomains(runtime, paymentRequired.accepts)
 * @internal
 */
export async function readTokenDomains(
  runtime: ClientRuntime,
  accepts: readonly PaymentRequirements[],
  signal?: AbortSignal,
): Promise<PaymentRequirements[]> {
  const completed: PaymentRequirements[] = []
  for (const offer of accepts) {
    const asset =
      offer.scheme === MPP_SCHEME ? runtime.registry.findAsset(offer.network, offer.asset) : undefined
    if (asset === undefined || asset.eip712 !== undefined) {
      completed.push(offer)
      continue
    }
    const domain = await domainOf(runtime, offer.network, asset.address, signal)
    completed.push(
      domain === undefined ? offer : { ...offer, extra: { ...offer.extra, tokenDomain: domain } },
    )
  }
  return completed
}

async function domainOf(
  runtime: ClientRuntime,
  network: string,
  asset: string,
  signal: AbortSignal | undefined,
): Promise<{ name: string; version: string } | undefined> {
  const key = `${network} ${asset.toLowerCase()}`
  const known = runtime.tokenDomains.get(key)
  if (known !== undefined) return known
  for (const wallet of runtime.options.wallets) {
    if (wallet.tokenDomain === undefined) continue
    try {
      const domain = await wallet.tokenDomain({ network, asset, ...(signal ? { signal } : {}) })
      runtime.tokenDomains.set(key, domain)
      return domain
    } catch {
      // This wallet cannot reach the chain or the token answers no domain: try the next.
    }
  }
  return undefined
}
