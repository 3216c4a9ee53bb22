import { type Client, createChainRegistry, createClient, type Ledger, type Network } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { DemoAsset } from '@tollgate/demo-api'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Options of {@link createDemoClient}. */
export type CreateDemoClientOptions = {
  /** The paying account's private key. */
  privateKey: Hex
  /** JSON-RPC endpoint of the chain. */
  rpcUrl: string
  /** CAIP-2 id of the chain. */
  network: Network
  /** The USD stablecoin the agent counts as dollars. */
  asset: DemoAsset
  /** Total budget. Default `"$2"`. */
  budget?: string
  /** Payments above this need the user's approval. Default `"$0.50"`. */
  requireApprovalAbove?: string
  /** Where payments are recorded. Default in memory. */
  ledger?: Ledger
}

/**
 * Creates the demo agent's Tollgate client: one EVM wallet, a registry that knows the demo's
 * stablecoin, a budget, and approval above a threshold that only the user gives, through the MCP
 * server's elicitation.
 *
 * @example const client = createDemoClient({ privateKey, rpcUrl, network: 'eip155:31337', asset })
 */
export function createDemoClient(options: CreateDemoClientOptions): Client {
  const registry = createChainRegistry()
  if (registry.findChain(options.network) === undefined) {
    registry.addChain({
      network: options.network,
      name: `EVM chain ${options.network.split(':')[1]}`,
      family: 'evm',
      chainId: Number(options.network.split(':')[1]),
      nativeCurrency: { symbol: 'ETH', name: 'Ether', decimals: 18 },
      confirmations: 1,
      blockTimeSeconds: 2,
      testnet: true,
    })
  }
  registry.addAsset({ network: options.network, usdPegged: true, ...options.asset })
  return createClient({
    wallets: [
      evmWallet({
        account: privateKeyToAccount(options.privateKey),
        rpcUrls: { [options.network]: options.rpcUrl },
        pollingIntervalMs: 50,
      }),
    ],
    registry,
    policy: {
      budget: options.budget ?? '$2',
      // No `approve` callback: nothing above the threshold is paid on its own (`policy_approval_declined`);
      // only the user, asked through MCP elicitation, approves a call up to its `maxPrice` (`approvedUpTo`).
      requireApprovalAbove: options.requireApprovalAbove ?? '$0.50',
    },
    ...(options.ledger === undefined ? {} : { ledger: options.ledger }),
  })
}
