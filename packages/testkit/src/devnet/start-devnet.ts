import {
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hash,
  type Hex,
  type HttpTransport,
  http,
  isAddress,
  type PublicClient,
  type TestClient,
  type WalletClient,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { type AnvilAccount, type StartAnvilOptions, startAnvil } from '../anvil/start-anvil.js'
import { abi as smartWalletAbi, bytecode as smartWalletBytecode } from '../contracts/test-smart-wallet.js'
import { abi as usdcAbi } from '../contracts/test-usdc.js'
import { deployTokens, type TokenSpecification } from './deploy-tokens.js'

/** Options of {@link startDevnet}: those of `startAnvil`, plus how much to mint. */
export interface StartDevnetOptions extends StartAnvilOptions {
  /** Whole tokens minted to every account, of each token (scaled by its decimals). Default `1_000_000n`. */
  tokenBalance?: bigint
}

/** The tokens a devnet deploys: `usdc` (6 decimals) and `usdc18` (18 decimals, like USDC on BNB Chain). */
export type DevnetTokenName = 'usdc' | 'usdc18'

/** A `TestUsdc` deployed on a devnet, with its EIP-712 domain name and version. */
export interface DevnetToken {
  /** Contract address, checksummed. */
  readonly address: Address
  /** Decimals of the atomic unit: `6` for `usdc`, `18` for `usdc18`. */
  readonly decimals: number
  /** ERC-20 name and EIP-712 domain name, `"USD Coin"`. */
  readonly name: string
  /** ERC-20 symbol, `"USDC"`. */
  readonly symbol: string
  /** EIP-712 domain version, `"2"`. */
  readonly version: string
}

/** A funded dev account of a devnet (public test keys). */
export type DevnetAccount = AnvilAccount

/** What {@link Devnet.toJSON} returns and the `tollgate-devnet` CLI prints. */
export interface DevnetJson {
  rpcUrl: string
  chainId: number
  /** CAIP-2 network id, `eip155:<chainId>`. */
  network: `eip155:${number}`
  tokens: Record<DevnetTokenName, { address: Address; decimals: number; name: string; version: string }>
  accounts: { address: Address; privateKey: Hex }[]
}

/** A running devnet: anvil with both tokens deployed and every account funded. */
export interface Devnet {
  /** JSON-RPC endpoint, `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string
  /** Chain id. Default `31337`. */
  readonly chainId: number
  /** CAIP-2 network id, `eip155:<chainId>`. */
  readonly network: `eip155:${number}`
  /** A viem chain for this devnet. */
  readonly chain: Chain
  /** The deployed tokens. */
  readonly tokens: { readonly usdc: DevnetToken; readonly usdc18: DevnetToken }
  /** Funded accounts, anvil's order. Account 0 deployed and owns the tokens. */
  readonly accounts: readonly DevnetAccount[]
  /** A viem public client, polling every 50 ms. */
  readonly publicClient: PublicClient<HttpTransport, Chain>
  /** A viem test client in anvil mode. */
  readonly testClient: TestClient<'anvil', HttpTransport, Chain>
  /** A viem wallet client that signs locally with account `accountIndex` (default `0`). */
  walletClient(accountIndex?: number): WalletClient<HttpTransport, Chain, PrivateKeyAccount>
  /** Takes a state snapshot and returns its id (`evm_snapshot`). */
  snapshot(): Promise<Hex>
  /** Restores a snapshot (`evm_revert`); the snapshot is used up. Throws if `id` is unknown. */
  revert(id: Hex): Promise<void>
  /** Mines `blocks` blocks (default `1`). */
  mine(blocks?: number): Promise<void>
  /** Sets the timestamp (unix seconds) of the next block. */
  setNextBlockTimestamp(timestamp: bigint | number): Promise<void>
  /** Moves the chain clock forward by `seconds` from the next block on. */
  increaseTime(seconds: number): Promise<void>
  /** Mints `amount` atomic units of `token` (a name or an address) to `to`, and waits for the receipt. */
  mint(token: DevnetTokenName | Address, to: Address, amount: bigint): Promise<Hash>
  /** Deploys a `TestSmartWallet` owned by account `ownerIndex` (default `0`) and returns its address. */
  deploySmartWallet(ownerIndex?: number): Promise<Address>
  /** The serialisable description of this devnet (no clients, no functions). */
  toJSON(): DevnetJson
  /** Stops anvil. Idempotent. */
  stop(): Promise<void>
}

const tokenSpecifications: Record<DevnetTokenName, TokenSpecification> = {
  usdc: { name: 'USD Coin', symbol: 'USDC', version: '2', decimals: 6 },
  usdc18: { name: 'USD Coin', symbol: 'USDC', version: '2', decimals: 18 },
}

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
    const transport = http(rpcUrl)
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 })
    const testClient = createTestClient({ mode: 'anvil', chain, transport, pollingInterval: 50 })

    const names = Object.keys(tokenSpecifications) as DevnetTokenName[]
    const addresses = await deployTokens({
      publicClient,
      deployer: privateKeyToAccount(deployer.privateKey),
      tokens: names.map((name) => tokenSpecifications[name]),
      recipients: anvil.accounts.map((account) => account.address),
      tokenBalance: options.tokenBalance ?? 1_000_000n,
    })
    const tokenAt = (index: number): DevnetToken => ({
      address: addresses[index]!,
      ...tokenSpecifications[names[index]!],
    })
    const tokens = { usdc: tokenAt(0), usdc18: tokenAt(1) }

    const walletClients = new Map<number, WalletClient<HttpTransport, Chain, PrivateKeyAccount>>()
    const walletClient = (accountIndex = 0): WalletClient<HttpTransport, Chain, PrivateKeyAccount> => {
      const cached = walletClients.get(accountIndex)
      if (cached) return cached
      const account = anvil.accounts[accountIndex]
      if (!account) throw new Error(`no devnet account ${accountIndex}: there are ${anvil.accounts.length}`)
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
      accounts: anvil.accounts,
      publicClient,
      testClient,
      walletClient,
      snapshot: () => testClient.snapshot(),
      revert: async (id) => {
        const reverted: unknown = await testClient.request({ method: 'evm_revert', params: [id] })
        if (reverted !== true) throw new Error(`devnet snapshot ${id} is unknown or already used`)
      },
      mine: (blocks = 1) => testClient.mine({ blocks }),
      setNextBlockTimestamp: (timestamp) =>
        testClient.setNextBlockTimestamp({ timestamp: BigInt(timestamp) }),
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
        accounts: anvil.accounts.map(({ address, privateKey }) => ({ address, privateKey })),
      }),
      stop: () => anvil.stop(),
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

function jsonToken({ address, decimals, name, version }: DevnetToken) {
  return { address, decimals, name, version }
}
