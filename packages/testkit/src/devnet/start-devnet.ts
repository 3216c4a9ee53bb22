import { createPublicClient, defineChain, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startAnvil } from '../anvil/start-anvil.js'
import { createDevnetHandle } from './create-devnet-handle.js'
import { deployTokens } from './deploy-tokens.js'
import { devnetTokenSpecifications } from './devnet-token-specifications.js'
import type { Devnet, DevnetToken, DevnetTokenName, StartDevnetOptions } from './devnet-types.js'
import { placeMulticall } from './place-multicall.js'

export type {
  Devnet,
  DevnetAccount,
  DevnetJson,
  DevnetToken,
  DevnetTokenName,
  StartDevnetOptions,
} from './devnet-types.js'

/**
 * Starts anvil, deploys `usdc` (6 decimals) and `usdc18` (18 decimals) from account 0 and mints
 * `tokenBalance` of each to every account. On a fresh chain with the default mnemonic the token
 * addresses are the same on every run.
 * @example
 * const devnet = await startDevnet()
 * const balance = await devnet.publicClient.readContract({
 *   address: devnet.tokens.usdc.address, abi: testUsdcAbi, functionName: 'balanceOf',
 *   args: [devnet.accounts[1]!.address],
 * }) // 1_000_000_000_000n
 * await devnet.stop()
 * @throws {Error} when anvil cannot start or a setup transaction fails.
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const anvil = await startAnvil(options)
  try {
    const deployer = anvil.accounts[0]
    if (!deployer) throw new Error('startDevnet needs at least one account')
    const { rpcUrl, chainId } = anvil
    const chain = defineChain({
      id: chainId,
      name: 'Tollgate devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
      testnet: true,
    })
    const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 50 })
    const names = Object.keys(devnetTokenSpecifications) as DevnetTokenName[]
    const addresses = await deployTokens({
      publicClient,
      deployer: privateKeyToAccount(deployer.privateKey),
      tokens: names.map((name) => devnetTokenSpecifications[name]),
      recipients: anvil.accounts.map((account) => account.address),
      tokenBalance: options.tokenBalance ?? 1_000_000n,
    })
    await placeMulticall(publicClient)
    const tokenAt = (index: number): DevnetToken => ({
      address: addresses[index]!,
      ...devnetTokenSpecifications[names[index]!],
    })
    return createDevnetHandle({
      rpcUrl,
      chainId,
      accounts: anvil.accounts,
      tokens: { usdc: tokenAt(0), usdc18: tokenAt(1) },
      stop: () => anvil.stop(),
    })
  } catch (error) {
    await anvil.stop()
    throw error
  }
}
