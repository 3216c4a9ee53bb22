import { createChainRegistry, createGate, type Gate, type Store } from '@tollgate/core'
import { createJsonRpc, evmNetwork, type JsonRpc } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import type { DevnetJson } from '@tollgate/testkit'
import express, { type Express } from 'express'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { searchLikeHandler } from './search-like-handler.js'

/** Options of {@link createGateApp}. */
export type CreateGateAppOptions = {
  devnet: DevnetJson
  /** Signs challenges and passes. */
  secret: string
  /** Replay protection; default the gate's memory store. */
  store?: Store
  /** Key of the account that pays the gas of `exact` settlements; without it only `tx` is offered. */
  settlerKey?: Hex
  /** Milliseconds between the settler's receipt polls. */
  receiptPollingMs: number
  /** `simulationMaxAgeMs` of the `exact` settler. Default the scheme's (0). */
  simulationMaxAgeMs?: number
}

/** The gated app and the JSON-RPC client whose round trips it counts. */
export type GateApp = { app: Express; rpc: JsonRpc }

/** The benchmark's gate and the JSON-RPC client whose round trips it counts. */
export type BenchGate = { gate: Gate; rpc: JsonRpc }

/**
 * Creates the benchmark's gated Express app: `GET /api/search-like` for $0.001 (`tx`, and `exact`
 * when a settler is given) and `POST /api/pass`, a $1 pass covering it. The gate's verifiers share
 * one `createJsonRpc`, so `rpc.stats` counts every round trip the gate makes.
 *
 * @example const { app, rpc } = createGateApp({ devnet, secret, receiptPollingMs: 25 })
 */
export function createGateApp(options: CreateGateAppOptions): GateApp {
  const { gate, rpc } = createBenchGate(options)
  const app = express()
  app.disable('x-powered-by')
  app.use(tollgate(gate))
  app.get('/api/search-like', searchLikeHandler)
  app.post('/api/pass', (_request, response) => {
    response.json({ pass: response.locals.tollgate?.pass })
  })
  return { app, rpc }
}

/**
 * Creates the benchmark's gate, the same behind every framework: `GET /api/search-like` for $0.001
 * (`tx`, and `exact` when a settler is given) and `POST /api/pass`, a $1 pass covering it.
 *
 * @example const { gate, rpc } = createBenchGate({ devnet, secret, receiptPollingMs: 25 })
 */
export function createBenchGate(options: CreateGateAppOptions): BenchGate {
  const { devnet } = options
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
  const rpc = createJsonRpc({ url: devnet.rpcUrl })
  const gate = createGate({
    routes: {
      'GET /api/search-like': {
        price: '$0.001',
        description: 'Search-like JSON',
        mimeType: 'application/json',
      },
      'POST /api/pass': {
        price: '$1',
        description: 'A day of GET /api/search-like',
        pass: { ttlSeconds: 86_400, scope: ['GET /api/search-like'] },
      },
    },
    payTo: devnet.accounts[9]!.address,
    networks: [
      evmNetwork({
        network: devnet.network,
        rpcUrl: devnet.rpcUrl,
        rpc,
        assets: [usdc.address],
        ...(options.settlerKey === undefined
          ? {}
          : {
              exact: {
                settler: privateKeyToAccount(options.settlerKey),
                receiptPollingMs: options.receiptPollingMs,
                ...(options.simulationMaxAgeMs === undefined
                  ? {}
                  : { simulationMaxAgeMs: options.simulationMaxAgeMs }),
              },
            }),
      }),
    ],
    secret: options.secret,
    registry,
    ...(options.store === undefined ? {} : { store: options.store }),
  })
  return { gate, rpc }
}
