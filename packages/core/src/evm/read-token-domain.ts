import {
  decodeFunctionResult,
  domainSeparator,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddressEqual,
  parseAbi,
} from 'viem'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc } from '../rpc/create-json-rpc.js'

const tokenAbi = parseAbi([
  'function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)',
  'function name() view returns (string)',
  'function version() view returns (string)',
  'function DOMAIN_SEPARATOR() view returns (bytes32)',
])

type Call = 'eip712Domain' | 'name' | 'version' | 'DOMAIN_SEPARATOR'

/**
 * Reads an EIP-3009 token's EIP-712 domain `name` and `version` from the chain: EIP-5267
 * `eip712Domain()` when the token has it (its chain id and contract must be this chain and this
 * token), else `name()` and `version()`, checked against `DOMAIN_SEPARATOR()` when the token has
 * that. The token's own answer, never a server's.
 * @example const { name, version } = await readTokenDomain(rpc, 8453, usdc)
 * @throws {TollgateError} `wallet_unavailable` when the token answers none of them, or answers a
 * domain of another chain or contract, or one its `DOMAIN_SEPARATOR()` contradicts
 * @internal
 */
export async function readTokenDomain(
  rpc: JsonRpc,
  chainId: number,
  asset: string,
  signal?: AbortSignal,
): Promise<{ name: string; version: string }> {
  const verifyingContract = getAddress(asset)
  const call = async <T>(functionName: Call): Promise<T | undefined> => {
    try {
      const data = encodeFunctionData({ abi: tokenAbi, functionName })
      const answer = (await rpc.request(
        'eth_call',
        [{ to: verifyingContract, data }, 'latest'],
        signal,
      )) as Hex
      return decodeFunctionResult({ abi: tokenAbi, functionName, data: answer }) as T
    } catch {
      return undefined
    }
  }
  const refuse = (why: string) =>
    new TollgateError(
      'wallet_unavailable',
      `The EIP-712 domain of token ${verifyingContract} cannot be read: ${why}.`,
    )
  const eip5267 =
    await call<readonly [Hex, string, string, bigint, string, Hex, readonly bigint[]]>('eip712Domain')
  if (eip5267 !== undefined) {
    const [, name, version, domainChainId, contract] = eip5267
    if (domainChainId !== BigInt(chainId) || !isAddressEqual(contract as Hex, verifyingContract))
      throw refuse('its eip712Domain() names another chain or contract')
    return { name, version }
  }
  const [name, version] = [await call<string>('name'), await call<string>('version')]
  if (name === undefined || version === undefined)
    throw refuse('it has neither eip712Domain() nor name() and version()')
  const separator = await call<Hex>('DOMAIN_SEPARATOR')
  if (
    separator !== undefined &&
    separator !== domainSeparator({ domain: { name, version, chainId, verifyingContract } })
  )
    throw refuse('its name() and version() do not give its DOMAIN_SEPARATOR()')
  return { name, version }
}
