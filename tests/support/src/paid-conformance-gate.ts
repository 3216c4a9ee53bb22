import { type CreateGateOptions, createChainRegistry, createMemoryStore } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import type { PaidConformanceGate } from '@tollgate/core/test'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** What `paidConformanceChain` puts in `PaidConformanceGate.chain`: plain JSON. */
export type PaidConformanceChainData = {
  network: `eip155:${number}`
  chainId: number
  usdc: { address: string; name: string; version: string }
  /** The settler's key, for `exact` gates. */
  settlerKey?: Hex
}

/**
 * Builds the options of the gate a paid conformance case describes: its routes, one EVM network
 * offering only the case's scheme on the devnet's USDC, a memory store. It imports no Node module,
 * so an edge runtime's bundle can build the gate too.
 *
 * @example const gate = createGate(paidConformanceGateOptions(spec))
 */
export function paidConformanceGateOptions(gate: PaidConformanceGate): CreateGateOptions {
  const chain = gate.chain as PaidConformanceChainData
  const registry = createChainRegistry({
    assets: [
      {
        network: chain.network,
        address: chain.usdc.address,
        symbol: 'USDC',
        name: 'USD Coin',
        decimals: 6,
        usdPegged: true,
        eip712: { name: chain.usdc.name, version: chain.usdc.version },
      },
    ],
  })
  const network =
    gate.scheme === 'tx'
      ? evmNetwork({
          network: chain.network,
          rpcUrl: gate.rpcUrl,
          rpcTimeoutMs: gate.rpcTimeoutMs,
          assets: ['USDC'],
        })
      : evmNetwork({
          network: chain.network,
          rpcUrl: gate.rpcUrl,
          rpcTimeoutMs: gate.rpcTimeoutMs,
          assets: ['USDC'],
          tx: false,
          exact: { settler: privateKeyToAccount(chain.settlerKey as Hex) },
        })
  return {
    routes: gate.routes,
    payTo: gate.payTo,
    store: createMemoryStore(),
    networks: [network],
    secret: gate.secret,
    registry,
    logger: { warn: () => {} },
  }
}
