import { parseAtomicAmount } from '../amount/parse-atomic-amount.js'
import type { ChainRegistry } from '../chains/create-chain-registry.js'
import type { AssetInfo } from '../chains/types.js'
import type { PaymentRequirements } from '../protocol/types.js'
import type { Wallet } from '../scheme/wallet.js'
import { exactForMpp, MPP_SCHEME } from './mpp-offer.js'

/** A requirement the client could pay, with what it costs. @internal */
export type Candidate = {
  index: number
  requirements: PaymentRequirements
  wallet: Wallet
  asset: AssetInfo
  amount: bigint
}

/**
 * A payment protocol the client speaks: `"x402"` (`PAYMENT-REQUIRED` / `PAYMENT-SIGNATURE`) or
 * `"mpp"` (the HTTP `Payment` authentication scheme: `WWW-Authenticate: Payment`, `Authorization:
 * Payment`).
 */
export type PaymentProtocol = 'x402' | 'mpp'

/** The protocols a client speaks by default, in order of preference. @internal */
export const DEFAULT_PROTOCOLS: readonly PaymentProtocol[] = ['x402', 'mpp']

/** What the client prefers among payable options. */
export type ClientPreferences = {
  /**
   * Protocols in order of preference. A 402 that offers both is paid once, in the first protocol
   * with a payable offer; the other is the fallback when that offer is malformed, unpayable or
   * refused. Leave one out to never pay with it (and, without `"mpp"`, send no `Accept-Payment`).
   * Default `["x402", "mpp"]`.
   */
  protocols?: readonly PaymentProtocol[]
  /** Schemes in order of preference. Default `["exact", "tx"]`: no gas and one round trip when possible. */
  schemes?: readonly string[]
  /** Networks in order of preference; unlisted networks come after, cheapest first. */
  networks?: readonly string[]
  /** `"avoid"` (default): buy passes only when nothing else is offered. `"prefer"`: buy them when offered. */
  passes?: 'avoid' | 'prefer'
}

const USD_SCALE = 80

/**
 * Orders the requirements of a 402 the client can pay, best first: supported by a wallet, in an asset
 * the client's own registry knows (the server's word on decimals is never used), by protocol, by
 * preference, then cheapest by US dollar value.
 * @internal
 */
export function chooseRequirements(
  accepts: readonly PaymentRequirements[],
  wallets: readonly Wallet[],
  registry: ChainRegistry,
  preferences: ClientPreferences = {},
): Candidate[] {
  const candidates: Candidate[] = []
  accepts.forEach((requirements, index) => {
    const asset = registry.findAsset(requirements.network, requirements.asset)
    if (asset === undefined || asset.address.toLowerCase() !== requirements.asset.toLowerCase()) return
    // An MPP offer is signed as the EIP-3009 transfer it is, in the domain the registry knows.
    const signed = requirements.scheme === MPP_SCHEME ? exactForMpp(requirements, asset) : requirements
    const wallet = signed === undefined ? undefined : wallets.find((entry) => entry.supports(signed))
    if (wallet === undefined) return
    let amount: bigint
    try {
      amount = parseAtomicAmount(requirements.amount)
    } catch {
      return
    }
    candidates.push({ index, requirements, wallet, asset, amount })
  })
  const sellsPass = (candidate: Candidate) => typeof candidate.requirements.extra.pass === 'object'
  const perRequest = candidates.filter((candidate) => !sellsPass(candidate))
  const pool =
    preferences.passes === 'prefer'
      ? [...candidates.filter(sellsPass), ...perRequest]
      : perRequest.length > 0
        ? perRequest
        : candidates
  const schemes = preferences.schemes ?? ['exact', 'tx']
  const networks = preferences.networks ?? []
  const rank = (list: readonly string[], value: string) => {
    const position = list.indexOf(value)
    return position === -1 ? list.length : position
  }
  const usd = (candidate: Candidate) =>
    candidate.asset.usdPegged
      ? candidate.amount * 10n ** BigInt(USD_SCALE - candidate.asset.decimals)
      : undefined
  const protocols = preferences.protocols ?? DEFAULT_PROTOCOLS
  const protocolOf = (candidate: Candidate) => (candidate.requirements.scheme === MPP_SCHEME ? 'mpp' : 'x402')
  return [...pool].sort((left, right) => {
    const byProtocol = rank(protocols, protocolOf(left)) - rank(protocols, protocolOf(right))
    if (byProtocol !== 0) return byProtocol
    if (preferences.passes === 'prefer' && sellsPass(left) !== sellsPass(right))
      return sellsPass(left) ? -1 : 1
    const byScheme = rank(schemes, left.requirements.scheme) - rank(schemes, right.requirements.scheme)
    if (byScheme !== 0) return byScheme
    const byNetwork = rank(networks, left.requirements.network) - rank(networks, right.requirements.network)
    if (byNetwork !== 0) return byNetwork
    const leftUsd = usd(left)
    const rightUsd = usd(right)
    if (leftUsd !== undefined && rightUsd !== undefined && leftUsd !== rightUsd)
      return leftUsd < rightUsd ? -1 : 1
    if (leftUsd !== undefined && rightUsd === undefined) return -1
    if (leftUsd === undefined && rightUsd !== undefined) return 1
    return left.index - right.index
  })
}
