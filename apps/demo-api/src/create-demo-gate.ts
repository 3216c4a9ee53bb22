import {
  type CreateGateOptions,
  createChainRegistry,
  createGate,
  type Gate,
  type GateLogger,
  type Network,
  type Store,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { solanaNetwork } from '@tollgate/core/solana'
import type { LocalAccount } from 'viem'

/** The token the demo is paid in: a USD stablecoin on the chain of `rpcUrl`. */
export type DemoAsset = {
  /** Token contract address. */
  address: string
  /** Decimals of the atomic unit (6 for USDC). */
  decimals: number
  symbol: string
  name: string
  /** EIP-712 domain of an EIP-3009 token, for x402 `exact` payments. */
  eip712?: { name: string; version: string }
}

/** Options of {@link createDemoGate} (and of `createDemoApi`). */
export type CreateDemoApiOptions = {
  /**
   * Where the gate's warnings go (such as the in-memory store one). Default: a line on stderr, so
   * the demo's stdout stays machine-readable.
   */
  logger?: GateLogger
  /** JSON-RPC endpoint of the chain payments are verified on. */
  rpcUrl: string
  /** CAIP-2 id of that chain, such as `"eip155:31337"`. */
  network: Network
  /** The USD stablecoin prices are quoted in. */
  asset: DemoAsset
  /** The address that gets paid. */
  payTo: string
  /** Signs challenges and passes: at least 32 bytes. */
  secret: string | Uint8Array
  /** Replay protection; default the gate's in-memory store. */
  store?: Store
  /**
   * A funded account that pays gas to settle x402 `exact` (EIP-3009) payments. Without it the API
   * accepts `tx` proofs only.
   */
  settler?: LocalAccount
  /** Also accept `tx` proofs of USDC-like SPL transfers on a Solana cluster. */
  solana?: {
    /** JSON-RPC endpoint of the cluster. */
    rpcUrl: string
    /** CAIP-2 id, `solana:<genesis hash prefix>`. */
    network: `solana:${string}`
    /** The USD stablecoin's mint. */
    mint: string
    /** Its decimals (6 for USDC). */
    decimals: number
    /** The owner account that gets paid (tokens go to its associated token account). */
    payTo: string
  }
}

/** The demo's priced routes, their prices and what they sell: the same on every demo server. */
export const demoRoutes: CreateGateOptions['routes'] = {
  'GET /api/search': {
    price: '$0.001',
    description: 'Web search: deterministic fake results for ?q=',
    mimeType: 'application/json',
  },
  'POST /api/post': {
    price: '$0.30',
    description: 'Publish a JSON post ({ title, body }); returns its id',
    mimeType: 'application/json',
  },
  'POST /api/identity': {
    price: '$0.60',
    description: 'Identity check ({ name, country, documentNumber }): a fake verification result',
    mimeType: 'application/json',
  },
  'POST /api/contract/issue': {
    price: '$1.00',
    description: 'Issue a contract ({ title, parties, terms }): a fake contract document',
    mimeType: 'application/json',
  },
  'POST /api/pass': {
    price: '$1',
    description: '24-hour pass for GET /api/search: send it as X-Payment-Pass instead of paying',
    mimeType: 'application/json',
    pass: { ttlSeconds: 86_400, scope: ['GET /api/search'] },
  },
}

/**
 * Creates the demo's gate: its priced routes (`demoRoutes`) accepting `tx` proofs, and x402
 * `exact` authorizations when a `settler` is given, in one USD stablecoin on one EVM chain, and
 * `tx` proofs of SPL transfers on a Solana cluster when `solana` is given. Every demo server (the
 * Express one here, the Hono one in `@tollgate/demo-hono`) puts it in front of the same handlers.
 *
 * @example
 * const gate = createDemoGate({ rpcUrl, network: 'eip155:31337', asset, payTo, secret })
 * @throws {TollgateError} `config_invalid` for an invalid network, payTo or secret
 */
export function createDemoGate(options: CreateDemoApiOptions): Gate {
  const registry = createChainRegistry()
  if (registry.findChain(options.network) === undefined) {
    const chainId = Number(options.network.split(':')[1])
    registry.addChain({
      network: options.network,
      name: `EVM chain ${chainId}`,
      family: 'evm',
      chainId,
      nativeCurrency: { symbol: 'ETH', name: 'Ether', decimals: 18 },
      confirmations: 1,
      blockTimeSeconds: 2,
      testnet: true,
    })
  }
  registry.addAsset({ network: options.network, usdPegged: true, ...options.asset })
  const solana = options.solana
  if (solana !== undefined) {
    if (registry.findChain(solana.network) === undefined) {
      registry.addChain({
        network: solana.network,
        name: 'Solana cluster',
        family: 'solana',
        nativeCurrency: { symbol: 'SOL', name: 'Solana', decimals: 9 },
        confirmations: 1,
        blockTimeSeconds: 1,
        testnet: true,
      })
    }
    registry.addAsset({
      network: solana.network,
      address: solana.mint,
      symbol: 'USDC',
      name: 'USD Coin',
      decimals: solana.decimals,
      usdPegged: true,
    })
  }
  return createGate({
    routes: demoRoutes,
    payTo: solana === undefined ? options.payTo : { evm: options.payTo, solana: solana.payTo },
    networks: [
      evmNetwork({
        network: options.network,
        rpcUrl: options.rpcUrl,
        assets: [options.asset.address],
        ...(options.settler === undefined
          ? {}
          : { exact: { settler: options.settler, receiptPollingMs: 25 } }),
      }),
      ...(solana === undefined
        ? []
        : [solanaNetwork({ network: solana.network, rpcUrl: solana.rpcUrl, assets: [solana.mint] })]),
    ],
    secret: options.secret,
    registry,
    ...(options.store === undefined ? {} : { store: options.store }),
    logger: options.logger ?? {
      warn: (message) => {
        process.stderr.write(`tollgate: ${message}\n`)
      },
    },
  })
}
