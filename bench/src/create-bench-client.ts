import { type Client, createChainRegistry, createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { Devnet } from '@tollgate/testkit'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/**
 * A client paying from `key` in the devnet's USDC (its own registry), polling receipts every
 * 20 ms, with a $5 budget: what buys the benchmark's passes.
 *
 * @example const client = createBenchClient(devnet, devnet.accounts[4]!.privateKey)
 */
export function createBenchClient(devnet: Devnet, key: Hex): Client {
  const { usdc } = devnet.tokens
  const registry = createChainRegistry({
    assets: [
      {
        network: devnet.network,
        address: usdc.address,
        symbol: 'USDC',
        name: usdc.name,
        decimals: usdc.decimals,
        usdPegged: true,
        eip712: { name: usdc.name, version: usdc.version },
      },
    ],
  })
  return createClient({
    wallets: [
      evmWallet({
        account: privateKeyToAccount(key),
        rpcUrls: { [devnet.network]: devnet.rpcUrl },
        pollingIntervalMs: 20,
      }),
    ],
    registry,
    policy: { budget: '$5' },
  })
}

/**
 * Buys the $1 pass of the gate at `url` with `client` and returns its token.
 *
 * @example const token = await buyPass(client, urls.gate)
 * @throws {Error} when the purchase does not end in a 200 with a pass
 */
export async function buyPass(client: Client, url: string): Promise<string> {
  const purchase = await client.fetch(`${url}/api/pass`, { method: 'POST' })
  await purchase.arrayBuffer()
  const token = client.passes().find((pass) => pass.scope.origin === url)?.token
  if (purchase.status !== 200 || token === undefined)
    throw new Error(`Buying the pass at ${url} failed: HTTP ${purchase.status}.`)
  return token
}
