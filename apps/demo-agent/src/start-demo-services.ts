import { randomBytes } from 'node:crypto'
import type { DemoAsset, RunningDemoApi } from '@tollgate/demo-api'
import { startDemoApi } from '@tollgate/demo-api'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type Address, erc20Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Options of {@link startDemoServices}. */
export type StartDemoServicesOptions = {
  /**
   * Called as soon as something that must be stopped has started, with its stop function, so a
   * caller interrupted halfway can stop what already runs.
   */
  onStarted?: (stop: () => Promise<void>) => void
}

/** A local devnet and the demo API on it. */
export type DemoServices = {
  devnet: Devnet
  api: RunningDemoApi
  /** The stablecoin the API charges in (the devnet's 6-decimal USDC). */
  asset: DemoAsset & { address: Address }
  /** Who the API pays: devnet account 9. */
  payTo: Address
  /** The account that pays the gas of x402 `exact` settlements: devnet account 8. */
  settler: Address
  /** USDC balance of `owner`, in atomic units. */
  balanceOf(owner: Address): Promise<bigint>
  /** Stops the API, then the devnet. Idempotent. */
  stop(): Promise<void>
}

/**
 * Starts anvil with the USDC-like token (`startDevnet`) and the demo API in front of it, paid to
 * devnet account 9 and settling x402 `exact` payments with account 8's gas, so it accepts both
 * `exact` and `tx`. Devnet accounts 0 to 7 are funded payers.
 *
 * @example
 * const services = await startDemoServices()
 * await fetch(`${services.api.url}/health`)
 * await services.stop()
 * @throws {Error} when anvil or the API cannot start (what started is stopped first)
 */
export async function startDemoServices(options: StartDemoServicesOptions = {}): Promise<DemoServices> {
  const devnet = await startDevnet()
  options.onStarted?.(() => devnet.stop())
  const { usdc } = devnet.tokens
  const asset = {
    address: usdc.address,
    decimals: usdc.decimals,
    symbol: usdc.symbol,
    name: usdc.name,
    eip712: { name: usdc.name, version: usdc.version },
  }
  const payTo = devnet.accounts[9]!.address
  const settler = privateKeyToAccount(devnet.accounts[8]!.privateKey)
  let api: RunningDemoApi
  try {
    api = await startDemoApi({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      asset,
      payTo,
      // A fresh secret per run: challenges and passes end with the demo.
      secret: randomBytes(32).toString('hex'),
      settler,
      // The demo lives for one run on a fresh chain: its in-memory store is a choice, and the
      // script's output stays its own.
      logger: { warn: () => {} },
    })
  } catch (error) {
    await devnet.stop()
    throw error
  }
  options.onStarted?.(() => api.close())
  let stopped: Promise<void> | undefined
  return {
    devnet,
    api,
    asset,
    payTo,
    settler: settler.address,
    balanceOf: (owner) =>
      devnet.publicClient.readContract({
        address: usdc.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [owner],
      }),
    stop() {
      stopped ??= api.close().finally(() => devnet.stop())
      return stopped
    },
  }
}
