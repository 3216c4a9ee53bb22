import { createChainRegistry, createClient } from '@tollgate/core'
import { solanaWallet } from '@tollgate/core/solana'
import { type RunningDemoApi, startDemoApi } from '@tollgate/demo-api'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type SolanaDevnet, startSolanaDevnet } from '@tollgate/testkit/solana'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SECRET } from '../src/fixtures.js'

let devnet: Devnet
let solana: SolanaDevnet
let api: RunningDemoApi

beforeAll(async () => {
  ;[devnet, solana] = await Promise.all([startDevnet(), startSolanaDevnet()])
  api = await startDemoApi({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    asset: { address: devnet.tokens.usdc.address, decimals: 6, symbol: 'USDC', name: 'USD Coin' },
    payTo: devnet.accounts[9]!.address,
    secret: SECRET,
    solana: {
      rpcUrl: solana.rpcUrl,
      network: solana.network,
      mint: solana.tokens.usdc.mint,
      decimals: solana.tokens.usdc.decimals,
      payTo: solana.accounts[9]!.address,
    },
  })
})
afterAll(async () => {
  await api?.close()
  await solana?.stop()
  await devnet?.stop()
})

describe('the demo API next to Solana', () => {
  test('default: the 402 offers SPL USDC on Solana next to USDC on the EVM chain', async () => {
    const response = await fetch(`${api.url}/api/search?q=solana`)
    const body = (await response.json()) as {
      accepts: { scheme: string; network: string; asset: string; amount: string }[]
    }
    expect(body.accepts.map((entry) => [entry.scheme, entry.network, entry.amount])).toEqual([
      ['tx', devnet.network, '1000'],
      ['tx', solana.network, '1000'],
    ])
  })

  test('behavior: a client pays it from a Solana wallet, and the SPL tokens arrive', async () => {
    const registry = createChainRegistry({
      chains: [
        {
          network: solana.network,
          name: 'Solana local devnet',
          family: 'solana',
          nativeCurrency: { symbol: 'SOL', name: 'Solana', decimals: 9 },
          confirmations: 1,
          blockTimeSeconds: 1,
          testnet: true,
        },
      ],
      assets: [
        {
          network: solana.network,
          address: solana.tokens.usdc.mint,
          symbol: 'USDC',
          name: 'USD Coin',
          decimals: 6,
          usdPegged: true,
        },
      ],
    })
    const client = createClient({
      wallets: [
        solanaWallet({
          signer: solana.accounts[0]!.signer,
          rpcUrl: solana.rpcUrl,
          networks: [solana.network],
        }),
      ],
      registry,
      policy: { budget: '$1', networks: [solana.network] },
    })
    const before = await solana.tokenBalance('usdc', solana.accounts[9]!.address)
    const response = await client.fetch(`${api.url}/api/search?q=paid+in+SPL`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ query: 'paid in SPL' })
    expect(client.paymentFor(response)).toMatchObject({
      scheme: 'tx',
      network: solana.network,
      amount: '1000',
    })
    expect((await solana.tokenBalance('usdc', solana.accounts[9]!.address)) - before).toBe(1000n)
    expect((await client.spent()).usd).toMatchObject({ spent: '0.001' })
  })
})
