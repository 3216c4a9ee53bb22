import {
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hash,
  type HttpTransport,
  http,
  isAddress,
  type WalletClient,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { abi as smartWalletAbi, bytecode as smartWalletBytecode } from '../contracts/test-smart-wallet.js'
import { abi as usdcAbi } from '../contracts/test-usdc.js'
import type { Devnet, DevnetAccount, DevnetToken } from './devnet-types.js'

/** What {@link createDevnetHandle} wraps: a running node with the tokens deployed. */
export interface DevnetHandleParts {
  /** JSON-RPC endpoint of the node. */
  rpcUrl: string
  /** Chain id the node reports. */
  chainId: number
  /** The funded dev accounts, in the node's order. */
  accounts: readonly DevnetAccount[]
  /** The deployed tokens. */
  tokens: { readonly usdc: DevnetToken; readonly usdc18: DevnetToken }
  /** What `stop()` of the handle does. */
  stop: () => Promise<void>
}

/**
 * The {@link Devnet} object of a running node whose tokens are deployed: viem clients polling every
 * 50 ms, and the test helpers (snapshot, revert, mine, mint, …) on top of its JSON-RPC.
 * @example
 * const devnet = createDevnetHandle({ rpcUrl, chainId, accounts, tokens, stop: () => anvil.stop() })
 * @throws {Error} never while creating; the helpers throw as documented on {@link Devnet}.
 */
export function createDevnetHandle(parts: DevnetHandleParts): Devnet {
  const { rpcUrl, chainId, accounts, tokens } = parts
  const chain = defineChain({
    id: chainId,
    name: 'Tollgate devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: true,
  })
  const transport = http(rpcUrl)
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 })
  const testClient = createTestClient({ mode: 'anvil', chain, transport, pollingInterval: 50 })
  const walletClients = new Map<number, WalletClient<HttpTransport, Chain, PrivateKeyAccount>>()
  const walletClient = (accountIndex = 0): WalletClient<HttpTransport, Chain, PrivateKeyAccount> => {
    const cached = walletClients.get(accountIndex)
    if (cached) return cached
    const account = accounts[accountIndex]
    if (!account) throw new Error(`no devnet account ${accountIndex}: there are ${accounts.length}`)
    const client = createWalletClient({
      account: privateKeyToAccount(account.privateKey),
      chain,
      transport,
      pollingInterval: 50,
    })
    walletClients.set(accountIndex, client)
    return client
  }

  // Transactions the devnet sends itself go one at a time, so concurrent calls never share a nonce.
  let queue: Promise<unknown> = Promise.resolve()
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task)
    queue = run.catch(() => undefined)
    return run
  }
  const confirm = async (hash: Hash): Promise<Address | null | undefined> => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`devnet transaction ${hash} reverted`)
    return receipt.contractAddress
  }

  const network = `eip155:${chainId}` as const
  return {
    rpcUrl,
    chainId,
    network,
    chain,
    tokens,
    accounts: accounts,
    publicClient,
    testClient,
    walletClient,
    snapshot: () => testClient.snapshot(),
    revert: async (id) => {
      const reverted: unknown = await testClient.request({ method: 'evm_revert', params: [id] })
      if (reverted !== true) throw new Error(`devnet snapshot ${id} is unknown or already used`)
    },
    mine: (blocks = 1) => testClient.mine({ blocks }),
    setNextBlockTimestamp: (timestamp) => testClient.setNextBlockTimestamp({ timestamp: BigInt(timestamp) }),
    increaseTime: async (seconds) => {
      await testClient.increaseTime({ seconds })
    },
    mint: (token, to, amount) =>
      serialize(async () => {
        const address = isAddress(token, { strict: false })
          ? token
          : Object.hasOwn(tokens, token)
            ? tokens[token].address
            : undefined
        if (!address) throw new Error(`unknown devnet token ${JSON.stringify(token)}`)
        const hash = await walletClient(0).writeContract({
          address,
          abi: usdcAbi,
          functionName: 'mint',
          args: [to, amount],
        })
        await confirm(hash)
        return hash
      }),
    deploySmartWallet: (ownerIndex = 0) =>
      serialize(async () => {
        const owner = walletClient(ownerIndex)
        const hash = await owner.deployContract({
          abi: smartWalletAbi,
          bytecode: smartWalletBytecode,
          args: [owner.account.address],
        })
        const address = await confirm(hash)
        if (!address) throw new Error(`smart wallet deployment ${hash} created no contract`)
        return address
      }),
    toJSON: () => ({
      rpcUrl,
      chainId,
      network,
      tokens: {
        usdc: jsonToken(tokens.usdc),
        usdc18: jsonToken(tokens.usdc18),
      },
      accounts: accounts.map(({ address, privateKey }) => ({ address, privateKey })),
    }),
    stop: parts.stop,
  }
}

function jsonToken({ address, decimals, name, version }: DevnetToken) {
  return { address, decimals, name, version }
}
