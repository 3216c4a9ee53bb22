import { describe, expect, test } from 'vitest'
import { createChainRegistry } from '../chains/create-chain-registry.js'
import type { PaymentRequirements } from '../protocol/types.js'
import type { Wallet } from '../scheme/wallet.js'
import { chooseRequirements } from './choose-requirements.js'

const registry = createChainRegistry()
const payTo = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const option = (overrides: Partial<PaymentRequirements>): PaymentRequirements => ({
  scheme: 'tx',
  network: 'eip155:8453',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  amount: '1000',
  payTo,
  maxTimeoutSeconds: 300,
  extra: {},
  ...overrides,
})
// A wallet is a plain structural contract; this one only answers `supports`.
const walletFor = (networks: string[]): Wallet => ({
  specificationVersion: 'v1',
  supports: (requirements) => networks.includes(requirements.network),
  address: () => payTo,
})

describe('chooseRequirements', () => {
  test('default: exact before tx, then cheapest in dollars across decimals', () => {
    const accepts = [
      option({
        network: 'eip155:56',
        asset: '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d',
        amount: '900000000000000',
      }),
      option({ amount: '1000' }),
      option({ scheme: 'exact', amount: '1000', extra: { name: 'USD Coin', version: '2' } }),
    ]
    const order = chooseRequirements(accepts, [walletFor(['eip155:8453', 'eip155:56'])], registry).map(
      (entry) => entry.index,
    )
    expect(order).toEqual([2, 0, 1])
  })

  test('behavior: options no wallet supports, or in assets the client does not know, are dropped', () => {
    const accepts = [
      option({ network: 'eip155:1' }),
      option({ asset: '0x0000000000000000000000000000000000000001' }),
      option({}),
    ]
    expect(
      chooseRequirements(accepts, [walletFor(['eip155:8453'])], registry).map((entry) => entry.index),
    ).toEqual([2])
  })

  test('behavior: pass offers only when nothing else is offered, unless preferred', () => {
    const accepts = [
      option({ amount: '1000000', extra: { pass: { ttlSeconds: 60, scope: ['GET /x'] } } }),
      option({}),
    ]
    const wallets = [walletFor(['eip155:8453'])]
    expect(chooseRequirements(accepts, wallets, registry).map((entry) => entry.index)).toEqual([1])
    expect(
      chooseRequirements(accepts, wallets, registry, { passes: 'prefer' }).map((entry) => entry.index),
    ).toEqual([0, 1])
    expect(chooseRequirements([accepts[0]!], wallets, registry).map((entry) => entry.index)).toEqual([0])
  })

  test('behavior: network preferences come before price', () => {
    const accepts = [
      option({ amount: '1000' }),
      option({
        network: 'eip155:42161',
        asset: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
        amount: '2000',
      }),
    ]
    const wallets = [walletFor(['eip155:8453', 'eip155:42161'])]
    expect(
      chooseRequirements(accepts, wallets, registry, { networks: ['eip155:42161'] }).map(
        (entry) => entry.index,
      ),
    ).toEqual([1, 0])
  })

  test('error: malformed amounts are skipped, not thrown', () => {
    expect(chooseRequirements([option({ amount: '1.5' })], [walletFor(['eip155:8453'])], registry)).toEqual(
      [],
    )
  })
})
