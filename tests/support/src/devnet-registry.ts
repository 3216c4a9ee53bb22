import { createChainRegistry } from '@tollgate/core'
import type { Devnet, DevnetTokenName } from '@tollgate/testkit'

/** How a registry lists each devnet token. */
const listings: Record<DevnetTokenName, { symbol: string; name: string; decimals: number }> = {
  usdc: { symbol: 'USDC', name: 'USD Coin', decimals: 6 },
  usdc18: { symbol: 'USDC18', name: 'USD Coin (18 decimals)', decimals: 18 },
}

/**
 * A registry that knows the devnet's USDC-like tokens as USD stablecoins, with their EIP-712
 * domains: both, `usdc` (6 decimals) and `usdc18` (18 decimals), unless `tokens` names fewer.
 *
 * @example const registry = devnetRegistry(devnet)
 */
export function devnetRegistry(devnet: Devnet, tokens: readonly DevnetTokenName[] = ['usdc', 'usdc18']) {
  return createChainRegistry({
    assets: tokens.map((token) => ({
      network: devnet.network,
      address: devnet.tokens[token].address,
      ...listings[token],
      usdPegged: true,
      eip712: { name: devnet.tokens[token].name, version: devnet.tokens[token].version },
    })),
  })
}

/**
 * A registry that knows only the devnet's 6-decimal USDC: what a gate priced in USDC, or a client
 * that never trusts a server's decimals, keeps.
 *
 * @example const client = createClient({ wallets, registry: usdcRegistry(devnet) })
 */
export function usdcRegistry(devnet: Devnet) {
  return devnetRegistry(devnet, ['usdc'])
}
