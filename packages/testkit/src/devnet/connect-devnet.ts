import { createDevnetHandle } from './create-devnet-handle.js'
import { devnetTokenSpecifications } from './devnet-token-specifications.js'
import type { Devnet, DevnetJson, DevnetToken, DevnetTokenName } from './devnet-types.js'

/**
 * The {@link Devnet} of a devnet that is already running, from its JSON description (what
 * `devnet.toJSON()` returns and the `tollgate-devnet` CLI prints): the same clients and helpers,
 * for another process or test worker. It does not own the node: its `stop()` leaves the node
 * running for whoever started it.
 * @example
 * const devnet = connectDevnet(JSON.parse(lineFromTheCli))
 * await devnet.mint('usdc', devnet.accounts[1]!.address, 5_000_000n)
 * @throws {Error} when `json` does not describe both devnet tokens.
 */
export function connectDevnet(json: DevnetJson): Devnet {
  const token = (name: DevnetTokenName): DevnetToken => {
    const described = json.tokens?.[name]
    if (described === undefined) throw new Error(`the devnet description has no ${name} token`)
    return { ...devnetTokenSpecifications[name], ...described }
  }
  return createDevnetHandle({
    rpcUrl: json.rpcUrl,
    chainId: json.chainId,
    accounts: json.accounts,
    tokens: { usdc: token('usdc'), usdc18: token('usdc18') },
    stop: async () => {},
  })
}
