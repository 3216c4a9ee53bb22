import type { AssetInfo } from '../chains/types.js'
import { NATIVE_ASSET } from '../chains/types.js'
import type { ExactInput } from '../scheme/types.js'
import { parseExactPayload } from './parse-exact-payload.js'

/**
 * The `extra` an `exact` offer carries for an asset: its EIP-712 domain, or undefined when the
 * asset has no EIP-3009 (then it can only be paid with `tx`).
 * @internal
 */
export function exactExtra(asset: AssetInfo): Record<string, unknown> | undefined {
  return asset.address !== NATIVE_ASSET && asset.eip712 !== undefined
    ? { name: asset.eip712.name, version: asset.eip712.version }
    : undefined
}

/**
 * Who pays and the claim key of an `exact` payload, offline. The claim lives until the
 * authorization expires; one that outlives the payment window is refused by `verify`, so the
 * window caps the claim (and no store ever sees a 10^77 s TTL).
 * @internal
 */
export function identifyExact(
  input: ExactInput,
  options: { nowSeconds: number; clockSkewSeconds: number },
): { payer: string; key: string; validBefore: number } {
  const { authorization } = parseExactPayload(input.payload)
  const latest = options.nowSeconds + input.requirements.maxTimeoutSeconds + options.clockSkewSeconds
  return {
    payer: authorization.from,
    key: `${input.asset.address.toLowerCase()}:${authorization.from.toLowerCase()}:${authorization.nonce}`,
    validBefore: Number(authorization.validBefore < BigInt(latest) ? authorization.validBefore : latest),
  }
}
