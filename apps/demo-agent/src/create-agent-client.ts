import {
  type Client,
  type ClientEvent,
  type CreateSpendingPolicyOptions,
  createChainRegistry,
  createClient,
} from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { DemoServices } from './start-demo-services.js'

/** Options of {@link createAgentClient}. */
export type CreateAgentClientOptions = {
  /** The devnet and API the agent pays. */
  services: Pick<DemoServices, 'devnet' | 'asset' | 'api'>
  /** The devnet account that pays (0 to 7). */
  account: number
  /** Total budget, such as `"$1.50"`. */
  budget: string
  /** Payments above this need approval. Default: none. */
  requireApprovalAbove?: string
  /** The owner's answer to a payment above `requireApprovalAbove`. Default: decline. */
  approve?: CreateSpendingPolicyOptions['approve']
  /** Schemes in order of preference. Default `["exact", "tx"]`. */
  schemes?: readonly ('exact' | 'tx')[]
  /** Receives every client event (quotes, transfers, authorizations, passes). */
  onEvent?: (event: ClientEvent) => void
}

/**
 * Creates an agent's Tollgate client: one EVM wallet on a devnet account, a registry that knows
 * the devnet USDC as a dollar (the client never trusts a server's decimals), a budget, approval
 * above a threshold, and only the demo API's host allowed.
 *
 * @example const client = createAgentClient({ services, account: 1, budget: '$1.50' })
 */
export function createAgentClient(options: CreateAgentClientOptions): Client {
  const { devnet, asset, api } = options.services
  const key = devnet.accounts[options.account]?.privateKey
  if (key === undefined) throw new Error(`The devnet has no account ${options.account}.`)
  return createClient({
    wallets: [
      evmWallet({
        account: privateKeyToAccount(key as Hex),
        rpcUrls: { [devnet.network]: devnet.rpcUrl },
        // anvil mines on every transaction: poll receipts often.
        pollingIntervalMs: 20,
      }),
    ],
    registry: createChainRegistry({
      assets: [{ network: devnet.network, usdPegged: true, ...asset }],
    }),
    policy: {
      budget: options.budget,
      allowedDomains: [new URL(api.url).hostname],
      ...(options.requireApprovalAbove === undefined
        ? {}
        : { requireApprovalAbove: options.requireApprovalAbove }),
      // Without a callback, payments above the threshold are declined unless the framework approved them.
      approve: options.approve ?? (() => false),
    },
    ...(options.schemes === undefined ? {} : { preferences: { schemes: options.schemes } }),
    retry: { baseDelayMs: 20, maxDelayMs: 500 },
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  })
}
