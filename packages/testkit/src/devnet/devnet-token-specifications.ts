import type { TokenSpecification } from './deploy-tokens.js'
import type { DevnetTokenName } from './devnet-types.js'

/** What each devnet token is: ERC-20 name and symbol, EIP-712 domain version, decimals. */
export const devnetTokenSpecifications: Readonly<Record<DevnetTokenName, TokenSpecification>> = {
  usdc: { name: 'USD Coin', symbol: 'USDC', version: '2', decimals: 6 },
  usdc18: { name: 'USD Coin', symbol: 'USDC', version: '2', decimals: 18 },
}
