import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { type Client, createClient } from '../client/create-client.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { CreateSpendingPolicyOptions } from '../policy/create-spending-policy.js'
import type { Money } from '../policy/types.js'
import { evmWallet } from './evm-wallet.js'

/** The wallet of the {@link PaidToolsShorthand}: a private key and, for `tx` payments, an RPC endpoint. */
export type PaidToolsWallet = {
  /** Hex private key of the paying account (`0x` + 64 hex digits). Never logged or serialised. */
  privateKey: Hex
  /**
   * JSON-RPC endpoint for `tx` payments, used on the network whose chain id it serves. Default none:
   * only `exact` (signed offline, no RPC) is paid.
   */
  rpcUrl?: string
  /** JSON-RPC endpoint per CAIP-2 network, when paying `tx` on several. Default none. */
  rpcUrls?: Readonly<Record<string, string>>
}

/**
 * The short form every tool adapter accepts instead of a client: a wallet and a budget, and the
 * adapter builds the Tollgate client itself.
 */
export type PaidToolsShorthand = {
  /** The paying wallet. */
  wallet: PaidToolsWallet
  /** Total budget, such as `'$5'` (lifetime unless `policy.window` says otherwise). Default none, so the policy's small default cap applies. */
  budget?: Money | readonly Money[]
  /** The rest of the spending policy (per-call cap, allowlist, approval, window). Default none. */
  policy?: Omit<CreateSpendingPolicyOptions, 'budget'>
  /** Assets and decimals the client trusts. Default the built-in registry. */
  registry?: ChainRegistry
}

/**
 * Builds the Tollgate client of a tool adapter from its options: the given `client` as is, or a
 * client with one EVM wallet and a spending policy from the {@link PaidToolsShorthand}.
 *
 * @example
 * const client = toPaidToolsClient({ wallet: { privateKey: '0x…', rpcUrl: 'http://127.0.0.1:8545' }, budget: '$5' })
 * @throws {TollgateError} `config_invalid` when neither `client` nor `wallet` is given, or the private key is malformed
 */
export function toPaidToolsClient<TClient extends object = Client>(
  options: { client: TClient } | PaidToolsShorthand,
): TClient | Client {
  if ('client' in options && options.client !== undefined) return options.client
  const { wallet } = options as Partial<PaidToolsShorthand>
  if (typeof wallet !== 'object' || wallet === null) {
    throw new TollgateError(
      'config_invalid',
      'Paid tools need a `client` or a `wallet: { privateKey, rpcUrl }`.',
    )
  }
  if (typeof wallet.privateKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(wallet.privateKey)) {
    // The key itself is never quoted.
    throw new TollgateError('config_invalid', 'The wallet privateKey must be 0x followed by 64 hex digits.')
  }
  const shorthand = options as PaidToolsShorthand
  return createClient({
    wallets: [
      evmWallet({
        account: privateKeyToAccount(wallet.privateKey),
        ...(wallet.rpcUrl === undefined ? {} : { rpcUrl: wallet.rpcUrl }),
        ...(wallet.rpcUrls === undefined ? {} : { rpcUrls: wallet.rpcUrls }),
      }),
    ],
    // Without a budget or policy the client's own defaults apply.
    ...(shorthand.budget === undefined && shorthand.policy === undefined
      ? {}
      : {
          policy: {
            ...shorthand.policy,
            ...(shorthand.budget === undefined ? {} : { budget: shorthand.budget }),
          },
        }),
    ...(shorthand.registry === undefined ? {} : { registry: shorthand.registry }),
  })
}
