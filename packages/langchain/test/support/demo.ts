import { type CreateClientOptions, createChainRegistry, createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { type RunningDemoApi, startDemoApi } from '@tollgate/demo-api'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type Address, erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** A devnet and the demo API on it, paid to account 9. */
export type Demo = { devnet: Devnet; api: RunningDemoApi; payTo: Address; stop(): Promise<void> }

/** Starts anvil with the USDC-like token and the demo API (its real gate and priced routes). */
export async function startDemo(): Promise<Demo> {
  const devnet = await startDevnet()
  const payTo = devnet.accounts[9]?.address as Address
  const { usdc } = devnet.tokens
  const api = await startDemoApi({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    asset: {
      address: usdc.address,
      decimals: 6,
      symbol: 'USDC',
      name: 'USD Coin',
      eip712: { name: usdc.name, version: usdc.version },
    },
    payTo,
    secret: 'adapter-tests-secret-adapter-tests-secret',
  })
  return {
    devnet,
    api,
    payTo,
    async stop() {
      await api.close()
      await devnet.stop()
    },
  }
}

/** A client paying from devnet account `index`, counting the HTTP requests it sends. */
export function clientFor(
  demo: Demo,
  index: number,
  policy: CreateClientOptions['policy'] = { budget: '$10' },
) {
  const requests: string[] = []
  const { usdc } = demo.devnet.tokens
  const client = createClient({
    wallets: [
      evmWallet({
        account: privateKeyToAccount(demo.devnet.accounts[index]?.privateKey as `0x${string}`),
        rpcUrls: { [demo.devnet.network]: demo.devnet.rpcUrl },
        pollingIntervalMs: 20,
      }),
    ],
    // The client's own registry: it never trusts a server's decimals.
    registry: createChainRegistry({
      assets: [
        {
          network: demo.devnet.network,
          address: usdc.address,
          symbol: 'USDC',
          name: 'USD Coin',
          decimals: 6,
          usdPegged: true,
          eip712: { name: usdc.name, version: usdc.version },
        },
      ],
    }),
    policy,
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    fetch: (input, init) => {
      requests.push(input instanceof Request ? input.url : String(input))
      return fetch(input, init)
    },
  })
  return { client, requests }
}

/** USDC balance of `owner`, in atomic units. */
export function usdcBalance(demo: Demo, owner: Address): Promise<bigint> {
  return demo.devnet.publicClient.readContract({
    address: demo.devnet.tokens.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}
