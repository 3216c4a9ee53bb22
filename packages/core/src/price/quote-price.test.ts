import { describe, expect, test } from 'vitest'
import { createChainRegistry } from '../chains/create-chain-registry.js'
import { parsePrice } from './parse-price.js'
import { quotePrice } from './quote-price.js'

const registry = createChainRegistry()
const amounts = (price: Parameters<typeof quotePrice>[0], network: string, assets?: string[]) =>
  quotePrice(price, { registry, network, ...(assets ? { assets } : {}) }).map((entry) => [
    entry.asset.symbol,
    entry.amount,
  ])

describe('parsePrice', () => {
  test('default', () => {
    expect(parsePrice('$0.01')).toEqual({ kind: 'usd', value: '0.01' })
    expect(parsePrice('0.01')).toEqual({ kind: 'usd', value: '0.01' })
    expect(parsePrice('0.01 USD')).toEqual({ kind: 'usd', value: '0.01' })
    expect(parsePrice(2)).toEqual({ kind: 'usd', value: '2' })
    expect(parsePrice('0.3 USDC')).toEqual({ kind: 'units', value: '0.3', symbol: 'USDC' })
    expect(parsePrice({ amount: '300000', asset: 'USDC', network: 'eip155:8453' })).toEqual({
      kind: 'atomic',
      amount: 300_000n,
      asset: 'USDC',
      network: 'eip155:8453',
    })
  })

  test.each([['$-1'], ['$1e-3'], ['-$1'], ['$ 1'], ['1  USDC'], ['$0.01 '], ['€1'], ['$'], ['+1'], ['0x10']])(
    'error: %j',
    (price) => {
      expect(() => parsePrice(price)).toThrow(expect.objectContaining({ code: 'price_invalid' }))
    },
  )

  test('error: fractional and unsafe numbers', () => {
    expect(() => parsePrice(0.01)).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Price 0.01 is not a whole number of dollars; write fractional prices as strings such as "$0.01".]`,
    )
    expect(() => parsePrice(2 ** 60)).toThrow(expect.objectContaining({ code: 'price_invalid' }))
  })

  test('error: atomic amounts must be canonical', () => {
    expect(() => parsePrice({ amount: '1.5', asset: 'USDC' })).toThrow(
      expect.objectContaining({ code: 'amount_invalid' }),
    )
  })
})

describe('quotePrice', () => {
  test('default: dollars in every USD-pegged asset, with its own decimals', () => {
    expect(amounts('$0.01', 'eip155:8453')).toEqual([['USDC', 10_000n]])
    expect(amounts('$0.01', 'eip155:1')).toEqual([
      ['USDC', 10_000n],
      ['USDT', 10_000n],
    ])
  })

  test('behavior: BNB Chain USDC is priced with 18 decimals, exactly', () => {
    expect(amounts('$0.001', 'eip155:56', ['USDC'])).toEqual([['USDC', 1_000_000_000_000_000n]])
    expect(amounts('$0.0000001', 'eip155:56', ['USDC'])).toEqual([['USDC', 100_000_000_000n]])
  })

  test('behavior: units of a named asset, including native coins', () => {
    expect(amounts('0.3 USDC', 'eip155:8453')).toEqual([['USDC', 300_000n]])
    expect(amounts('0.001 ETH', 'eip155:8453')).toEqual([['ETH', 1_000_000_000_000_000n]])
  })

  test('behavior: atomic amounts bind to one asset and network', () => {
    const usdc = registry.asset('eip155:8453', 'USDC').address
    expect(amounts({ amount: '5', asset: usdc }, 'eip155:8453')).toEqual([['USDC', 5n]])
    expect(() => amounts({ amount: '5', asset: usdc, network: 'eip155:8453' }, 'eip155:1')).toThrow(
      expect.objectContaining({ code: 'asset_unknown' }),
    )
  })

  test('error: $0.0000001 on a 6-decimal asset is an error, not 0', () => {
    expect(() => amounts('$0.0000001', 'eip155:8453')).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: Amount "0.0000001" has 7 fraction digits but the asset has only 6; it would have to be rounded.]`,
    )
  })

  test('error: a symbol the network does not have', () => {
    expect(() => amounts('1 USDT', 'eip155:8453')).toThrow(expect.objectContaining({ code: 'asset_unknown' }))
    expect(() => amounts('$1', 'eip155:8453', ['ETH'])).toThrow(
      expect.objectContaining({ code: 'asset_unknown' }),
    )
  })
})
