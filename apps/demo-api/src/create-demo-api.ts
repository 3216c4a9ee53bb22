import { randomUUID } from 'node:crypto'
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
import { tollgate } from '@tollgate/express'
import express, { type ErrorRequestHandler, type Express } from 'express'
import type { LocalAccount } from 'viem'
import { checkIdentity } from './check-identity.js'
import { createSearchResults } from './create-search-results.js'
import { issueContract } from './issue-contract.js'

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

/** Options of {@link createDemoApi}. */
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

/** What {@link createDemoApi} returns. */
export type DemoApi = {
  /** The Express app, not yet listening. */
  app: Express
  /** The gate in front of it. */
  gate: Gate
}

/** The priced routes, their prices and what they sell. */
const routes: CreateGateOptions['routes'] = {
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

const MAX_POSTS = 1000

/**
 * Creates the demo API: an Express app with priced routes behind a Tollgate gate that accepts
 * `tx` proofs, and x402 `exact` authorizations when a `settler` is given, in one USD stablecoin on
 * one EVM chain, and `tx` proofs of SPL transfers on a Solana cluster when `solana` is given. Used by the demos, agent tests and benchmarks.
 *
 * @example
 * const devnet = await startDevnet()
 * const { app } = createDemoApi({
 *   rpcUrl: devnet.rpcUrl,
 *   network: devnet.network,
 *   asset: { address: devnet.tokens.usdc.address, decimals: 6, symbol: 'USDC', name: 'USD Coin' },
 *   payTo: devnet.accounts[9]!.address,
 *   secret: 'a-secret-of-at-least-32-bytes-long!!',
 * })
 * app.listen(4021)
 * @throws {TollgateError} `config_invalid` for an invalid network, payTo or secret
 */
export function createDemoApi(options: CreateDemoApiOptions): DemoApi {
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
  const gate = createGate({
    routes,
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
  const posts = new Map<string, unknown>()

  const app = express()
  app.disable('x-powered-by')
  // Bodies are parsed first, so a malformed one is refused before a payment is consumed.
  app.use(express.json({ limit: '16kb' }))
  app.use(tollgate(gate))

  app.get('/health', (_request, response) => {
    response.json({ ok: true })
  })
  app.get('/api/search', (request, response) => {
    const query = [request.query.q].flat().find((value) => typeof value === 'string') ?? ''
    response.json(createSearchResults(query.slice(0, 500)))
  })
  app.post('/api/post', (request, response) => {
    const id = `post_${randomUUID()}`
    if (posts.size >= MAX_POSTS) posts.delete(posts.keys().next().value as string)
    const post = {
      id,
      author: response.locals.tollgate?.payer,
      publishedAt: new Date().toISOString(),
      content: toObject(request.body),
    }
    posts.set(id, post)
    response.status(201).json(post)
  })
  app.post('/api/identity', (request, response) => {
    response.json(checkIdentity(toObject(request.body)))
  })
  app.post('/api/contract/issue', (request, response) => {
    response.status(201).json(issueContract(toObject(request.body)))
  })
  app.post('/api/pass', (_request, response) => {
    const pass = response.locals.tollgate?.pass
    response.json({
      pass,
      howToUse:
        'Send the token as the X-Payment-Pass header on GET /api/search until expiresAt (unix seconds); ' +
        'no further payment is needed. The same pass is in the PAYMENT-RESPONSE header, under extensions.pass.',
    })
  })

  app.use((_request, response) => {
    response.status(404).json({ error: 'not_found', message: 'No such route.' })
  })
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    if (response.headersSent) return next(error)
    const { status, type } = error as { status?: unknown; type?: unknown }
    // body-parser's errors carry a 4xx status and a dotted type, such as "entity.parse.failed".
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = typeof type === 'string' ? type.replaceAll('.', '_') : 'bad_request'
      response.status(status).json({ error: code, message: (error as Error).message })
      return
    }
    process.stderr.write(`demo-api: ${(error as Error)?.stack ?? String(error)}\n`)
    response.status(500).json({ error: 'internal_error', message: 'The demo API failed.' })
  }
  app.use(onError)
  return { app, gate }
}

// Paid routes are lenient: any JSON object is accepted, anything else counts as `{}`.
function toObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
