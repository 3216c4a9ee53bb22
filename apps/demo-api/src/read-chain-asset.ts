import type { Network } from '@tollgate/core'
import { type Address, createPublicClient, erc20Abi, http, isAddress } from 'viem'
import type { DemoAsset } from './create-demo-api.js'

/** Options of {@link readChainAsset}. */
export type ReadChainAssetOptions = {
  /** JSON-RPC endpoint. */
  rpcUrl: string
  /** Token contract address. */
  address: string
}

const versionAbi = [
  { type: 'function', name: 'version', stateMutability: 'view', inputs: [], outputs: [{ type: 'string' }] },
] as const

/**
 * Reads what the gate needs to know about a token from the chain: the chain id, and the token's
 * decimals, symbol, name and EIP-712 version (when it has a `version()`, as USDC does).
 *
 * @example const { network, asset } = await readChainAsset({ rpcUrl, address: '0x036C…' })
 * @throws {Error} when the address is invalid or the chain or token cannot be read
 */
export async function readChainAsset(
  options: ReadChainAssetOptions,
): Promise<{ network: Network; asset: DemoAsset }> {
  if (!isAddress(options.address)) throw new Error(`TOLLGATE_ASSET "${options.address}" is not an address.`)
  const client = createPublicClient({ transport: http(options.rpcUrl, { timeout: 10_000 }) })
  const address: Address = options.address
  const [chainId, decimals, symbol, name, version] = await Promise.all([
    client.getChainId(),
    client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
    client.readContract({ address, abi: erc20Abi, functionName: 'symbol' }),
    client.readContract({ address, abi: erc20Abi, functionName: 'name' }),
    client.readContract({ address, abi: versionAbi, functionName: 'version' }).catch(() => undefined),
  ])
  return {
    network: `eip155:${chainId}`,
    asset: {
      address,
      decimals,
      symbol,
      name,
      ...(version === undefined ? {} : { eip712: { name, version } }),
    },
  }
}
