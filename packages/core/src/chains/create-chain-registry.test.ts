import { describe, expect, test } from 'vitest'
import { createChainRegistry } from './create-chain-registry.js'
import { SOLANA_DEVNET, SOLANA_MAINNET } from './default-chains.js'

describe('createChainRegistry', () => {
  test('default', () => {
    const registry = createChainRegistry()
    expect(registry.chains().map((chain) => chain.network)).toEqual([
      'eip155:1',
      'eip155:137',
      'eip155:8453',
      'eip155:42161',
      'eip155:56',
      'eip155:84532',
      'eip155:31337',
      SOLANA_MAINNET,
      SOLANA_DEVNET,
    ])
    expect(registry.asset('eip155:8453', 'USDC')).toMatchInlineSnapshot(`
      {
        "address": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
        "decimals": 6,
        "eip712": {
          "name": "USD Coin",
          "version": "2",
        },
        "name": "USD Coin",
        "network": "eip155:8453",
        "symbol": "USDC",
        "usdPegged": true,
      }
    `)
  })

  test('behavior: knows the USDC of the testkit devnet on 31337, so `$` prices work there', () => {
    const usdc = createChainRegistry().asset('eip155:31337', 'USDC')
    expect(usdc).toMatchObject({ address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', decimals: 6 })
    expect(usdc.eip712).toEqual({ name: 'USD Coin', version: '2' })
    expect(createChainRegistry().usdAssets('eip155:31337')).toHaveLength(1)
  })

  test('behavior: BNB Chain USDC has 18 decimals and no EIP-3009', () => {
    const usdc = createChainRegistry().asset('eip155:56', 'usdc')
    expect(usdc.decimals).toBe(18)
    expect(usdc.eip712).toBeUndefined()
  })

  test('behavior: EVM addresses match case-insensitively, symbols too', () => {
    const registry = createChainRegistry()
    expect(registry.asset('eip155:1', '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48').symbol).toBe('USDC')
    expect(registry.asset('eip155:1', 'usdt').decimals).toBe(6)
  })

  test('behavior: native coins', () => {
    const registry = createChainRegistry()
    expect(registry.asset('eip155:56', 'native')).toMatchObject({
      symbol: 'BNB',
      decimals: 18,
      usdPegged: false,
    })
    expect(registry.asset(SOLANA_MAINNET, 'SOL')).toMatchObject({ address: 'native', decimals: 9 })
  })

  test('behavior: Solana USDC mints', () => {
    const registry = createChainRegistry()
    expect(registry.asset(SOLANA_MAINNET, 'USDC').address).toBe(
      'EPjFWvd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
    )
    expect(registry.asset(SOLANA_DEVNET, 'USDC').decimals).toBe(6)
  })

  test('behavior: users add chains and assets, and registries are independent', () => {
    const registry = createChainRegistry({
      chains: [
        {
          network: 'eip155:10',
          name: 'OP Mainnet',
          family: 'evm',
          chainId: 10,
          nativeCurrency: { symbol: 'ETH', name: 'Ether', decimals: 18 },
          confirmations: 1,
          blockTimeSeconds: 2,
          testnet: false,
        },
      ],
    })
    registry.addAsset({
      network: 'eip155:10',
      address: '0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85',
      symbol: 'USDC',
      name: 'USD Coin',
      decimals: 6,
      usdPegged: true,
      eip712: { name: 'USD Coin', version: '2' },
    })
    expect(registry.usdAssets('eip155:10')).toHaveLength(1)
    expect(createChainRegistry().findChain('eip155:10')).toBeUndefined()
  })

  test('behavior: an added asset replaces one at the same address', () => {
    const registry = createChainRegistry()
    registry.addAsset({
      ...registry.asset('eip155:8453', 'USDC'),
      address: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913',
      name: 'Renamed',
    })
    expect(registry.assets('eip155:8453')).toHaveLength(1)
    expect(registry.asset('eip155:8453', 'USDC').name).toBe('Renamed')
  })

  test('behavior: entries are frozen', () => {
    const asset = createChainRegistry().asset('eip155:8453', 'USDC')
    expect(() => {
      ;(asset as { decimals: number }).decimals = 18
    }).toThrow()
  })

  test('error: unknown network and asset', () => {
    const registry = createChainRegistry()
    expect(() => registry.chain('eip155:999999')).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Network "eip155:999999" is not in the chain registry.]`,
    )
    expect(() => registry.asset('eip155:8453', 'DAI')).toThrow(
      expect.objectContaining({ code: 'asset_unknown' }),
    )
  })

  test('error: invalid entries', () => {
    const registry = createChainRegistry()
    expect(() =>
      registry.addAsset({
        network: 'eip155:8453',
        address: '0x123',
        symbol: 'X',
        name: 'X',
        decimals: 6,
        usdPegged: false,
      }),
    ).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    expect(() =>
      registry.addAsset({
        network: 'eip155:9',
        address: `0x${'1'.repeat(40)}`,
        symbol: 'X',
        name: 'X',
        decimals: 6,
        usdPegged: false,
      }),
    ).toThrow(expect.objectContaining({ code: 'network_unknown' }))
    expect(() =>
      registry.addChain({
        network: 'eip155:10',
        name: 'Wrong id',
        family: 'evm',
        chainId: 11,
        nativeCurrency: { symbol: 'ETH', name: 'Ether', decimals: 18 },
        confirmations: 1,
        blockTimeSeconds: 2,
        testnet: false,
      }),
    ).toThrow(expect.objectContaining({ code: 'config_invalid' }))
  })
})
