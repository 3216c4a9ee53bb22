import { type Client, createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { FileLedger } from '@tollgate/core/node'
import { usdcRegistry } from '@tollgate/test-support'
import type { Payer, World } from '../../attack/src/start-world.js'

/**
 * The paying client of a fault run: the real `createClient` with `payer`'s wallet on the devnet,
 * a $1 budget, the run's file ledger, and retries that honour a pending settlement's `Retry-After`.
 * `rpcUrl` is what the wallet reads the chain through: the RPC proxy, or anvil itself when only
 * the gates' calls may pass the proxy.
 *
 * @example const client = openFaultClient(world, payer, ledger, { scheme: 'exact', rpcUrl: world.proxy.url })
 */
export function openFaultClient(
  world: World,
  payer: Payer,
  ledger: FileLedger,
  options: { scheme: 'tx' | 'exact'; rpcUrl: string },
): Client {
  return createClient({
    wallets: [
      evmWallet({
        account: payer.account,
        rpcUrls: { [world.devnet.network]: options.rpcUrl },
        pollingIntervalMs: 20,
        schemes: [options.scheme],
      }),
    ],
    registry: usdcRegistry(world.devnet),
    policy: { budget: '$1' },
    ledger,
    // Retry-After of a pending settlement (1-2 s) is honoured, not handed back.
    retry: { maxRetries: 8, baseDelayMs: 20, maxDelayMs: 3_000 },
  })
}

/**
 * What the client's own books say it spent in the devnet USDC, in atomic units.
 *
 * @example expect(await spentUsdc(client, world.usdc)).toBe(1_000n)
 */
export async function spentUsdc(client: Client, usdc: string): Promise<bigint> {
  return (await client.spent()).assets
    .filter((asset) => asset.asset.toLowerCase() === usdc.toLowerCase())
    .reduce((sum, asset) => sum + asset.spentAtomic, 0n)
}
