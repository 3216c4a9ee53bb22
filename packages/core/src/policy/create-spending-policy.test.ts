import { fc, test as property } from '@fast-check/vitest'
import { describe, expect, test, vi } from 'vitest'
import { parseAmount } from '../amount/parse-amount.js'
import { createChainRegistry } from '../chains/create-chain-registry.js'
import { SOLANA_MAINNET } from '../chains/default-chains.js'
import type { AssetInfo } from '../chains/types.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { createMemoryLedger } from '../ledger/create-memory-ledger.js'
import { type CreateSpendingPolicyOptions, createSpendingPolicy } from './create-spending-policy.js'
import type { PolicyQuote } from './types.js'

const registry = createChainRegistry()
const usdcBase = registry.asset('eip155:8453', 'USDC')
const usdcBnb = registry.asset('eip155:56', 'USDC')
const usdtEthereum = registry.asset('eip155:1', 'USDT')
const ethBase = registry.nativeAsset('eip155:8453')
const usdcSolana = registry.asset(SOLANA_MAINNET, 'USDC')
const payTo = '0x1111111111111111111111111111111111111111'
const T = 1_700_000_000_000

function quoteOf(
  asset: AssetInfo,
  amount: bigint | string,
  url = 'https://api.example.com/search',
): PolicyQuote {
  const atomic = typeof amount === 'bigint' ? amount : parseAmount(amount, asset.decimals)
  return {
    url,
    requirements: {
      scheme: 'tx',
      network: asset.network,
      asset: asset.address,
      amount: atomic.toString(),
      payTo,
      maxTimeoutSeconds: 60,
      extra: {},
    },
    asset,
    amount: atomic,
  }
}

function clock(start = T) {
  let current = start
  return {
    now: () => current,
    advance: (seconds: number) => {
      current += seconds * 1000
    },
  }
}

function policyWith(options: CreateSpendingPolicyOptions = {}) {
  return createSpendingPolicy({ registry, now: () => T, ...options })
}

async function errorOf(run: Promise<unknown> | (() => unknown)): Promise<TollgateError> {
  try {
    await (typeof run === 'function' ? run() : run)
  } catch (error) {
    if (TollgateError.is(error)) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

const codeOf = async (run: Promise<unknown> | (() => unknown)) => (await errorOf(run)).code

describe('createSpendingPolicy', () => {
  test('default', async () => {
    const policy = policyWith()
    const reservation = await policy.reserve(quoteOf(usdcBase, '0.05'))
    expect(reservation).toMatchObject({
      url: 'https://api.example.com/search',
      network: 'eip155:8453',
      amount: 50_000n,
      amountFormatted: '0.05',
      usd: '0.05',
      scheme: 'tx',
      payTo,
      reservedAt: T,
    })
    expect(Object.isFrozen(reservation)).toBe(true)
    await policy.commit(reservation)
    expect(await policy.spent()).toMatchInlineSnapshot(`
      {
        "assets": [
          {
            "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "network": "eip155:8453",
            "spent": "0.05",
            "spentAtomic": 50000n,
            "symbol": "USDC",
          },
        ],
        "payments": 1,
        "reserved": {
          "assets": [],
          "payments": 0,
        },
        "usd": {
          "spent": "0.05",
        },
      }
    `)
  })

  test('behavior: an empty policy allows any asset, domain and network', async () => {
    const policy = policyWith()
    await policy.reserve(quoteOf(ethBase, '1', 'https://anything.test/'))
    await policy.reserve(quoteOf(usdcSolana, '1000'))
  })

  describe('budget', () => {
    test('behavior: reserve, commit and release account exactly', async () => {
      const policy = policyWith({ budget: '$1' })
      const first = await policy.reserve(quoteOf(usdcBase, '0.4'))
      const second = await policy.reserve(quoteOf(usdcBase, '0.4'))
      expect((await policy.spent()).usd).toEqual({ spent: '0', remaining: '0.2', limit: '1' })
      expect((await policy.spent()).reserved).toMatchObject({ payments: 2, usd: '0.8' })
      await policy.commit(first)
      await policy.release(second)
      expect(await policy.spent()).toMatchObject({
        payments: 1,
        usd: { spent: '0.4', remaining: '0.6', limit: '1' },
        reserved: { payments: 0, assets: [] },
      })
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.61')))).toBe('policy_budget_exceeded')
      await policy.reserve(quoteOf(usdcBase, '0.6'))
    })

    test('behavior: exactly at the limit is allowed, one atomic unit more is not', async () => {
      const policy = policyWith({ budget: '$0.01' })
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, 10_001n)))).toBe('policy_budget_exceeded')
      await policy.reserve(quoteOf(usdcBase, 10_000n))
    })

    test('behavior: 100 concurrent reserves with budget for 10 allow exactly 10', async () => {
      const policy = policyWith({ budget: '$1' })
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () => policy.reserve(quoteOf(usdcBase, '0.1'))),
      )
      const reserved = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
      const declined = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
      expect(reserved).toHaveLength(10)
      expect(declined.every((error) => error.code === 'policy_budget_exceeded')).toBe(true)
      for (const reservation of reserved.slice(0, 4)) policy.commit(reservation)
      for (const reservation of reserved.slice(4)) policy.release(reservation)
      expect(await policy.spent()).toMatchObject({
        payments: 4,
        usd: { spent: '0.4', remaining: '0.6' },
        reserved: { payments: 0 },
      })
      const again = await Promise.allSettled(
        Array.from({ length: 100 }, () => policy.reserve(quoteOf(usdcBase, '0.1'))),
      )
      expect(again.filter((result) => result.status === 'fulfilled')).toHaveLength(6)
      expect((await policy.spent()).usd).toEqual({ spent: '0.4', remaining: '0', limit: '1' })
    })

    test('behavior: a rolling window frees budget once spend is older than the window', async () => {
      const time = clock()
      const policy = policyWith({ budget: '$1', window: { seconds: 3600 }, now: time.now })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.7')))
      time.advance(1800)
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.3')))
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.01')))).toBe('policy_budget_exceeded')
      time.advance(1799)
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.01')))).toBe('policy_budget_exceeded')
      // The first payment was committed exactly 3600 s ago: it no longer counts.
      time.advance(1)
      expect(await policy.spent()).toMatchObject({ payments: 1, usd: { spent: '0.3', remaining: '0.7' } })
      await policy.reserve(quoteOf(usdcBase, '0.7'))
      time.advance(1800)
      // Reserved budget counts however old it is; the second commit has aged out.
      expect(await policy.spent()).toMatchObject({ payments: 0, usd: { spent: '0', remaining: '0.3' } })
    })

    test('behavior: lifetime budgets never free spend', async () => {
      const time = clock()
      const policy = policyWith({ budget: '$1', now: time.now })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '1')))
      time.advance(10 * 365 * 86_400)
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, 1n)))).toBe('policy_budget_exceeded')
    })

    test('behavior: 18-decimal and 6-decimal USDC add up exactly against one dollar budget', async () => {
      const policy = policyWith({ budget: '$0.003' })
      await policy.commit(await policy.reserve(quoteOf(usdcBnb, 1_000_000_000_000_000n)))
      await policy.commit(await policy.reserve(quoteOf(usdcBase, 1_000n)))
      expect((await policy.spent()).usd).toEqual({ spent: '0.002', remaining: '0.001', limit: '0.003' })
      expect(await codeOf(policy.reserve(quoteOf(usdcBnb, 1_000_000_000_000_001n)))).toBe(
        'policy_budget_exceeded',
      )
      await policy.commit(await policy.reserve(quoteOf(usdcBnb, 999_999_999_999_999n)))
      await policy.commit(await policy.reserve(quoteOf(usdcBnb, 1n)))
      expect((await policy.spent()).usd).toEqual({ spent: '0.003', remaining: '0', limit: '0.003' })
      expect(await codeOf(policy.reserve(quoteOf(usdcBnb, 1n)))).toBe('policy_budget_exceeded')
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, 1n)))).toBe('policy_budget_exceeded')
    })

    test('behavior: an asset with more decimals than the budget counts rounded up', async () => {
      const custom = createChainRegistry()
      custom.addAsset({
        network: 'eip155:31337',
        address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        symbol: 'USDX',
        name: 'Twenty-decimal dollar',
        decimals: 20,
        usdPegged: true,
      })
      const usdx = custom.asset('eip155:31337', 'USDX')
      const policy = createSpendingPolicy({ registry: custom, budget: '$0.000000000000000002' })
      // 1 atomic unit is 10^-20 dollars, counted as 10^-18: two of them fill the budget.
      await policy.commit(await policy.reserve(quoteOf(usdx, 1n)))
      await policy.commit(await policy.reserve(quoteOf(usdx, 1n)))
      expect(await codeOf(policy.reserve(quoteOf(usdx, 1n)))).toBe('policy_budget_exceeded')
    })

    test('behavior: every line is enforced independently', async () => {
      const policy = policyWith({
        budget: ['$1', '0.5 USDC', { amount: '1', asset: 'native', network: 'eip155:8453' }],
      })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.3')))
      await policy.commit(await policy.reserve(quoteOf(usdcBnb, '0.2')))
      // USDC is at its own limit; USDT still fits the dollar budget.
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, 1n)))).toBe('policy_budget_exceeded')
      await policy.commit(await policy.reserve(quoteOf(usdtEthereum, '0.5')))
      expect(await codeOf(policy.reserve(quoteOf(usdtEthereum, 1n)))).toBe('policy_budget_exceeded')
      // ETH on Base has a line of its own.
      await policy.commit(await policy.reserve(quoteOf(ethBase, 1n)))
      expect(await codeOf(policy.reserve(quoteOf(ethBase, 1n)))).toBe('policy_budget_exceeded')
      expect(await policy.spent()).toMatchInlineSnapshot(`
        {
          "assets": [
            {
              "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
              "network": "eip155:8453",
              "remaining": "0",
              "remainingAtomic": 0n,
              "spent": "0.3",
              "spentAtomic": 300000n,
              "symbol": "USDC",
            },
            {
              "asset": "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d",
              "network": "eip155:56",
              "remaining": "0",
              "remainingAtomic": 0n,
              "spent": "0.2",
              "spentAtomic": 200000000000000000n,
              "symbol": "USDC",
            },
            {
              "asset": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
              "network": "eip155:1",
              "remaining": "0",
              "remainingAtomic": 0n,
              "spent": "0.5",
              "spentAtomic": 500000n,
              "symbol": "USDT",
            },
            {
              "asset": "native",
              "network": "eip155:8453",
              "remaining": "0",
              "remainingAtomic": 0n,
              "spent": "0.000000000000000001",
              "spentAtomic": 1n,
              "symbol": "ETH",
            },
          ],
          "payments": 4,
          "reserved": {
            "assets": [],
            "payments": 0,
          },
          "usd": {
            "limit": "1",
            "remaining": "0",
            "spent": "1",
          },
        }
      `)
    })

    test('behavior: a symbol budget counts that symbol on every network', async () => {
      const policy = policyWith({ budget: '1 USDC' })
      await policy.commit(await policy.reserve(quoteOf(usdcSolana, '0.5')))
      await policy.commit(await policy.reserve(quoteOf(usdcBnb, '0.5')))
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, 1n)))).toBe('policy_budget_exceeded')
    })

    test('behavior: an atomic budget without a network covers the asset wherever it has the same decimals', async () => {
      const policy = policyWith({ budget: { amount: '1000000', asset: usdcBase.address } })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, 1_000_000n)))
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, 1n)))).toBe('policy_budget_exceeded')
      expect(await codeOf(policy.reserve(quoteOf(usdtEthereum, 1n)))).toBe('policy_asset_denied')
    })

    test('error: budget exceeded says by how much', async () => {
      const policy = policyWith({ budget: '$1', window: { seconds: 86_400 } })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.75')))
      const error = await errorOf(policy.reserve(quoteOf(usdcBase, '0.3')))
      expect(error).toMatchInlineSnapshot(
        `[TollgateError: Paying $0.3 would exceed the budget of $1 per 86400 s: $0.25 remaining.]`,
      )
      expect(error.details).toMatchInlineSnapshot(`
        {
          "amount": "$0.3",
          "limit": "$1",
          "remaining": "$0.25",
          "reserved": "$0",
          "spent": "$0.75",
          "window": {
            "seconds": 86400,
          },
        }
      `)
    })

    test('error: an asset no budget line can value is declined', async () => {
      const policy = policyWith({ budget: '$5' })
      const error = await errorOf(policy.reserve(quoteOf(ethBase, 1n)))
      expect(error.code).toBe('policy_asset_denied')
      expect(error).toMatchInlineSnapshot(
        `[TollgateError: No \`budget\` limit can value ETH (native) on eip155:8453, so the payment is declined.]`,
      )
      // Without a budget there is no budget limit at all.
      await policyWith().reserve(quoteOf(ethBase, '100'))
    })

    test('error: an asset the policy registry does not know is declined, whatever the client claims', async () => {
      const fake: AssetInfo = {
        ...usdcBase,
        address: '0x2222222222222222222222222222222222222222',
        decimals: 30,
      }
      const policy = policyWith({ budget: '$5' })
      const error = await errorOf(policy.reserve(quoteOf(fake, 1n)))
      expect(error.code).toBe('policy_asset_denied')
      expect(error.message).toMatchInlineSnapshot(
        `"No \`budget\` limit can value USDC (0x2222222222222222222222222222222222222222) on eip155:8453, which is not in the policy’s chain registry, so the payment is declined."`,
      )
    })
  })

  describe('perCall', () => {
    test('behavior: caps each payment, not their sum', async () => {
      const policy = policyWith({ perCall: '$0.10' })
      for (let index = 0; index < 20; index++)
        await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.1')))
      expect((await policy.spent()).usd?.spent).toBe('2')
    })

    test('error: a payment above the cap', async () => {
      const policy = policyWith({ perCall: ['$0.10', '0.05 USDC'] })
      await policy.reserve(quoteOf(usdtEthereum, '0.1'))
      expect(await errorOf(policy.reserve(quoteOf(usdtEthereum, '0.100001')))).toMatchInlineSnapshot(
        `[TollgateError: Paying $0.100001 is above the per-call limit of $0.1.]`,
      )
      expect(await errorOf(policy.reserve(quoteOf(usdcBase, '0.06')))).toMatchInlineSnapshot(
        `[TollgateError: Paying 0.06 USDC is above the per-call limit of 0.05 USDC.]`,
      )
      expect(await codeOf(policy.reserve(quoteOf(ethBase, 1n)))).toBe('policy_asset_denied')
    })
  })

  describe('allowedDomains', () => {
    test('behavior: the URL actually paid must be allowed', async () => {
      const policy = policyWith({ allowedDomains: ['*.example.com'] })
      await policy.reserve(quoteOf(usdcBase, '0.01', 'https://API.example.com:8443/search'))
      const error = await errorOf(
        policy.reserve(quoteOf(usdcBase, '0.01', 'https://evil-example.com/?key=secret')),
      )
      expect(error).toMatchInlineSnapshot(
        `[TollgateError: Host "evil-example.com" is not in \`allowedDomains\`.]`,
      )
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.01', 'https://example.com.evil.com/')))).toBe(
        'policy_denied_domain',
      )
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.01', 'https://example.com/')))).toBe(
        'policy_denied_domain',
      )
    })
  })

  describe('networks and assets', () => {
    test('behavior: allowlists', async () => {
      const policy = policyWith({ networks: ['eip155:8453', 'eip155:56'], assets: ['USDC'] })
      await policy.reserve(quoteOf(usdcBase, '1'))
      await policy.reserve(quoteOf(usdcBnb, '1'))
      expect(await errorOf(policy.reserve(quoteOf(usdtEthereum, '1')))).toMatchInlineSnapshot(
        `[TollgateError: Network "eip155:1" is not in \`networks\`.]`,
      )
      expect(await errorOf(policy.reserve(quoteOf(ethBase, '1')))).toMatchInlineSnapshot(
        `[TollgateError: Asset "native" on eip155:8453 is not in \`assets\`.]`,
      )
    })

    test('behavior: assets match by address (case-insensitively on EVM), symbol or "native"', async () => {
      const byAddress = policyWith({ assets: [usdcBase.address.toLowerCase()] })
      await byAddress.reserve(quoteOf(usdcBase, '1'))
      expect(await codeOf(byAddress.reserve(quoteOf(usdcBnb, '1')))).toBe('policy_asset_denied')
      const native = policyWith({ assets: ['native'] })
      await native.reserve(quoteOf(ethBase, '1'))
      expect(await codeOf(native.reserve(quoteOf(usdcBase, '1')))).toBe('policy_asset_denied')
    })
  })

  describe('requireApprovalAbove', () => {
    test('behavior: payments strictly above the threshold wait for approval', async () => {
      const approve = vi.fn(async () => true)
      const policy = policyWith({ requireApprovalAbove: '$0.05', approve })
      await policy.reserve(quoteOf(usdcBase, '0.05'))
      expect(approve).not.toHaveBeenCalled()
      await policy.reserve(quoteOf(usdcBase, '0.050001', 'https://api.example.com/big'))
      expect(approve).toHaveBeenCalledTimes(1)
      expect(approve.mock.calls[0]).toMatchInlineSnapshot(`
        [
          {
            "amount": 50001n,
            "amountFormatted": "0.050001",
            "asset": {
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
            },
            "network": "eip155:8453",
            "payTo": "0x1111111111111111111111111111111111111111",
            "scheme": "tx",
            "url": "https://api.example.com/big",
            "usd": "0.050001",
          },
        ]
      `)
    })

    test('behavior: the budget stays reserved while approval is pending', async () => {
      let approveNow: (value: boolean) => void = () => undefined
      const policy = policyWith({
        budget: '$1',
        requireApprovalAbove: '$0.5',
        approve: () =>
          new Promise<boolean>((resolve) => {
            approveNow = resolve
          }),
      })
      const pending = policy.reserve(quoteOf(usdcBase, '0.6'))
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.5')))).toBe('policy_budget_exceeded')
      approveNow(true)
      await policy.commit(await pending)
      expect((await policy.spent()).usd?.spent).toBe('0.6')
    })

    test('error: declined, failing or missing approval frees the budget', async () => {
      const onDecline = vi.fn()
      const failure = new Error('the user closed the dialog')
      const cases = [
        { approve: async () => false },
        { approve: async () => 'yes' as unknown as boolean },
        {
          approve: async () => {
            throw failure
          },
        },
        {},
      ]
      const errors: TollgateError[] = []
      for (const options of cases) {
        const policy = policyWith({ budget: '$1', requireApprovalAbove: '$0.5', onDecline, ...options })
        errors.push(await errorOf(policy.reserve(quoteOf(usdcBase, '0.6'))))
        expect((await policy.spent()).reserved.payments).toBe(0)
        await policy.reserve(quoteOf(usdcBase, '0.5'))
        await policy.reserve(quoteOf(usdcBase, '0.5'))
      }
      expect(errors.map((error) => error.code)).toEqual(Array(4).fill('policy_approval_declined'))
      expect(errors.map((error) => error.message)).toMatchInlineSnapshot(`
        [
          "The approval callback declined paying 0.6 USDC.",
          "The approval callback declined paying 0.6 USDC.",
          "The approval callback failed, so paying 0.6 USDC is declined.",
          "Payments above $0.5 need approval, and no \`approve\` callback is configured.",
        ]
      `)
      expect(errors[2]?.cause).toBe(failure)
      expect(onDecline).toHaveBeenCalledTimes(4)
    })

    test('behavior: a payment the threshold cannot value needs approval', async () => {
      const approve = vi.fn(async () => true)
      const policy = policyWith({ requireApprovalAbove: '$100', approve })
      await policy.reserve(quoteOf(ethBase, 1n))
      expect(approve).toHaveBeenCalledTimes(1)
      expect(await policy.check(quoteOf(ethBase, 1n))).toEqual({ approvalRequired: true })
      expect(await policy.check(quoteOf(usdcBase, '1'))).toEqual({ approvalRequired: false })
    })
  })

  describe('rateLimit', () => {
    test('behavior: a sliding window of payments, counting reserved ones', async () => {
      const time = clock()
      const policy = policyWith({ rateLimit: { payments: 2, perSeconds: 60 }, now: time.now })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.01')))
      time.advance(20)
      const held = await policy.reserve(quoteOf(usdcBase, '0.01'))
      const error = await errorOf(policy.reserve(quoteOf(usdcBase, '0.01')))
      expect(error).toMatchInlineSnapshot(
        `[TollgateError: The policy allows 2 payments per 60 s; retry in 40 s.]`,
      )
      expect(error.retryAfter).toBe(40)
      await policy.release(held)
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.01')))
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.01')))).toBe('policy_rate_limited')
      time.advance(40)
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.01')))
      expect((await errorOf(policy.reserve(quoteOf(usdcBase, '0.01')))).retryAfter).toBe(20)
    })

    test('behavior: when reservations hold every slot, retry after a whole window', async () => {
      const policy = policyWith({ rateLimit: { payments: 1, perSeconds: 30 } })
      await policy.reserve(quoteOf(usdcBase, '0.01'))
      expect((await errorOf(policy.reserve(quoteOf(usdcBase, '0.01')))).retryAfter).toBe(30)
    })
  })

  describe('expiry', () => {
    test('behavior: expiresIn counts from creation', async () => {
      const time = clock()
      const policy = policyWith({ expiresIn: 60, now: time.now })
      time.advance(59)
      await policy.reserve(quoteOf(usdcBase, '0.01'))
      time.advance(1)
      const error = await errorOf(policy.reserve(quoteOf(usdcBase, '0.01')))
      expect(error).toMatchInlineSnapshot(
        `[TollgateError: The spending policy expired at 2023-11-14T22:14:20.000Z; it declines every payment.]`,
      )
    })

    test('behavior: expiresAt takes unix seconds or a Date; the earlier of both wins', async () => {
      const seconds = policyWith({ expiresAt: T / 1000 + 10, now: () => T + 10_000 })
      expect(await codeOf(seconds.reserve(quoteOf(usdcBase, '0.01')))).toBe('policy_wallet_expired')
      const date = policyWith({ expiresAt: new Date(T + 10_000), now: () => T + 9_999 })
      await date.reserve(quoteOf(usdcBase, '0.01'))
      const time = clock()
      const both = policyWith({ expiresAt: T / 1000 + 3600, expiresIn: 10, now: time.now })
      time.advance(10)
      expect(await codeOf(both.reserve(quoteOf(usdcBase, '0.01')))).toBe('policy_wallet_expired')
    })
  })

  test('behavior: rules run in order: expiry, domain, network, asset, per-call, rate limit, budget', async () => {
    const rules: CreateSpendingPolicyOptions = {
      allowedDomains: ['api.example.com'],
      networks: ['eip155:8453'],
      assets: ['USDC'],
      perCall: '$0.5',
      rateLimit: { payments: 1, perSeconds: 3600 },
      budget: '$0.55',
    }
    const allowed = 'https://api.example.com/'
    const policy = policyWith(rules)
    await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.1', allowed)))
    // Each quote fixes the rule the previous one broke.
    const quotes = [
      quoteOf(usdtEthereum, '0.7', 'https://evil.example/'),
      quoteOf(usdtEthereum, '0.7', allowed),
      quoteOf(ethBase, '0.7', allowed),
      quoteOf(usdcBase, '0.7', allowed),
      quoteOf(usdcBase, '0.5', allowed),
    ]
    const codes = []
    for (const quote of quotes) codes.push(await codeOf(() => policy.check(quote)))
    const { rateLimit: _, ...withoutRateLimit } = rules
    const unlimited = policyWith(withoutRateLimit)
    await unlimited.commit(await unlimited.reserve(quoteOf(usdcBase, '0.1', allowed)))
    codes.push(await codeOf(() => unlimited.check(quoteOf(usdcBase, '0.5', allowed))))
    const expired = policyWith({ ...rules, expiresAt: T / 1000 })
    codes.push(await codeOf(() => expired.check(quotes[0] as PolicyQuote)))
    expect(codes).toEqual([
      'policy_denied_domain',
      'policy_network_denied',
      'policy_asset_denied',
      'policy_per_call_exceeded',
      'policy_rate_limited',
      'policy_budget_exceeded',
      'policy_wallet_expired',
    ])
  })

  describe('commit and release', () => {
    test('behavior: both are idempotent, and release after commit is a no-op', async () => {
      const onPayment = vi.fn()
      const policy = policyWith({ budget: '$1', onPayment })
      const reservation = await policy.reserve(quoteOf(usdcBase, '0.4'))
      await policy.commit(reservation)
      await policy.commit(reservation)
      await policy.release(reservation)
      expect(onPayment).toHaveBeenCalledTimes(1)
      expect(await policy.spent()).toMatchObject({ payments: 1, usd: { spent: '0.4', remaining: '0.6' } })
      const other = await policy.reserve(quoteOf(usdcBase, '0.4'))
      await policy.release(other)
      await policy.release(other)
      expect(await policy.spent()).toMatchObject({
        payments: 1,
        usd: { remaining: '0.6' },
        reserved: { payments: 0 },
      })
    })

    test('behavior: committing a released reservation still counts the money that left', async () => {
      const policy = policyWith({ budget: '$1' })
      const reservation = await policy.reserve(quoteOf(usdcBase, '0.4'))
      await policy.release(reservation)
      await policy.commit(reservation)
      expect(await policy.spent()).toMatchObject({
        payments: 1,
        usd: { spent: '0.4' },
        reserved: { payments: 0 },
      })
    })

    test('behavior: a reservation the ledger does not know commits nothing', async () => {
      const onPayment = vi.fn()
      const reservation = await policyWith().reserve(quoteOf(usdcBase, '0.4'))
      const other = policyWith({ onPayment })
      await other.commit(reservation)
      await other.release(reservation)
      expect(onPayment).not.toHaveBeenCalled()
      expect((await other.spent()).payments).toBe(0)
    })

    test('error: a reference without an id', async () => {
      await expect(policyWith().commit({} as never)).rejects.toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      )
    })
  })

  describe('hooks', () => {
    test('behavior: onPayment on commit, onDecline on every decline', async () => {
      const onPayment = vi.fn()
      const onDecline = vi.fn()
      const policy = policyWith({ budget: '$0.5', onPayment, onDecline })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.5')))
      await errorOf(policy.reserve(quoteOf(usdcBase, '0.5')))
      await expect(policy.check(quoteOf(usdcBase, '0.5'))).rejects.toThrow()
      expect(onPayment).toHaveBeenCalledWith(expect.objectContaining({ amountFormatted: '0.5', at: T }))
      expect(onDecline).toHaveBeenCalledTimes(1)
      expect(onDecline.mock.calls[0]?.[0]).toMatchObject({
        amountFormatted: '0.5',
        at: T,
        error: expect.objectContaining({ code: 'policy_budget_exceeded' }),
      })
    })

    test('behavior: hook errors are swallowed and never change a decision', async () => {
      const policy = policyWith({
        budget: '$0.5',
        onPayment: () => {
          throw new Error('metrics down')
        },
        onDecline: async () => {
          throw new Error('metrics down')
        },
      })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.5')))
      expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.5')))).toBe('policy_budget_exceeded')
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
  })

  describe('check', () => {
    test('behavior: a dry run reserves nothing and asks nobody', async () => {
      const approve = vi.fn(async () => true)
      const policy = policyWith({ budget: '$1', requireApprovalAbove: '$0.5', approve })
      for (let index = 0; index < 5; index++) {
        expect(await policy.check(quoteOf(usdcBase, '0.6'))).toEqual({ approvalRequired: true })
      }
      expect(approve).not.toHaveBeenCalled()
      expect((await policy.spent()).reserved.payments).toBe(0)
      await expect(policy.check(quoteOf(usdcBase, '1.01'))).rejects.toThrow(
        expect.objectContaining({ code: 'policy_budget_exceeded' }),
      )
    })

    test('error: approval required without an approve callback', async () => {
      const policy = policyWith({ requireApprovalAbove: '$0.5' })
      await expect(policy.check(quoteOf(usdcBase, '0.6'))).rejects.toThrow(
        expect.objectContaining({ code: 'policy_approval_declined' }),
      )
    })
  })

  describe('spent', () => {
    test('behavior: reports dollars, each asset and what is reserved', async () => {
      const policy = policyWith({
        budget: ['$1', { amount: '2000000000', asset: 'SOL', network: SOLANA_MAINNET }],
      })
      await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.25')))
      await policy.commit(await policy.reserve(quoteOf(usdcBnb, '0.000000000000000001')))
      await policy.reserve(quoteOf(usdtEthereum, '0.1'))
      expect(await policy.spent()).toMatchInlineSnapshot(`
        {
          "assets": [
            {
              "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
              "network": "eip155:8453",
              "remaining": "0.649999",
              "remainingAtomic": 649999n,
              "spent": "0.25",
              "spentAtomic": 250000n,
              "symbol": "USDC",
            },
            {
              "asset": "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d",
              "network": "eip155:56",
              "remaining": "0.649999999999999999",
              "remainingAtomic": 649999999999999999n,
              "spent": "0.000000000000000001",
              "spentAtomic": 1n,
              "symbol": "USDC",
            },
            {
              "asset": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
              "network": "eip155:1",
              "remaining": "0.649999",
              "remainingAtomic": 649999n,
              "spent": "0",
              "spentAtomic": 0n,
              "symbol": "USDT",
            },
            {
              "asset": "native",
              "network": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
              "remaining": "2",
              "remainingAtomic": 2000000000n,
              "spent": "0",
              "spentAtomic": 0n,
              "symbol": "SOL",
            },
          ],
          "payments": 2,
          "reserved": {
            "assets": [
              {
                "asset": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
                "network": "eip155:1",
                "reserved": "0.1",
                "reservedAtomic": 100000n,
                "symbol": "USDT",
              },
            ],
            "payments": 1,
            "usd": "0.1",
          },
          "usd": {
            "limit": "1",
            "remaining": "0.649999999999999999",
            "spent": "0.250000000000000001",
          },
        }
      `)
    })
  })

  test('error: malformed quotes are refused before any rule, without a decline', async () => {
    const onDecline = vi.fn()
    const policy = policyWith({ onDecline })
    const quote = quoteOf(usdcBase, '0.01')
    expect(
      await errorOf(policy.reserve({ ...quote, requirements: { ...quote.requirements, amount: '1' } })),
    ).toMatchInlineSnapshot(`[TollgateError: The quoted amount 10000n is not the requirements' amount "1".]`)
    expect(await codeOf(policy.reserve({ ...quote, amount: 10_000 as unknown as bigint }))).toBe(
      'invalid_payment_requirements',
    )
    expect(await codeOf(policy.reserve({ url: quote.url } as PolicyQuote))).toBe(
      'invalid_payment_requirements',
    )
    expect(onDecline).not.toHaveBeenCalled()
  })

  test('error: invalid options', () => {
    const invalid = (options: CreateSpendingPolicyOptions) => () => createSpendingPolicy(options)
    expect(invalid({ budget: '$1e3' })).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: \`budget\` "$1e3" is invalid: Price "$1e3" is not "$0.01", "0.01", "0.3 USDC" or { amount, asset }: no exponent, sign or extra blanks.]`,
    )
    expect(invalid({ budget: { amount: '1000000', asset: 'USDC' } })).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: \`budget\` names asset "USDC" without a network, but it has 6 and 18 decimals on different networks; add \`network\`.]`,
    )
    expect(invalid({ budget: { amount: '1', asset: 'DOGE' } })).toThrowErrorMatchingInlineSnapshot(
      `[TollgateError: \`budget\` names asset "DOGE", which no network of the chain registry has.]`,
    )
    for (const options of [
      { budget: [] },
      { perCall: '€1' },
      { budget: { amount: '1', asset: 'USDC', network: 'eip155:999999' } },
      { window: { seconds: 0 } },
      { window: 'daily' as never },
      { rateLimit: { payments: 0, perSeconds: 60 } },
      { rateLimit: { payments: 1, perSeconds: 0.5 } },
      { expiresAt: Number.NaN },
      { expiresAt: new Date('nope') },
      { expiresIn: -1 },
      { networks: ['base'] },
      { assets: [''] },
      { allowedDomains: ['https://api.example.com/'] },
      { now: () => Number.NaN },
    ] as CreateSpendingPolicyOptions[]) {
      expect(invalid(options)).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    }
  })

  const operation = fc.oneof(
    fc.record({
      kind: fc.constant('reserve' as const),
      asset: fc.constantFrom(usdcBase, usdcBnb, usdtEthereum),
      // Up to $0.3 in the asset's own atomic units, so 18-decimal amounts are not round.
      fraction: fc.bigInt({ min: 0n, max: 3n * 10n ** 17n }),
    }),
    fc.record({ kind: fc.constant('commit' as const), index: fc.nat(40) }),
    fc.record({ kind: fc.constant('release' as const), index: fc.nat(40) }),
    fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 120 }) }),
  )

  property.prop([fc.array(operation, { maxLength: 60 }), fc.boolean()], { numRuns: 200 })(
    'property: no sequence of reserve, commit and release leaves spent + reserved above the budget',
    async (operations, rolling) => {
      const time = clock()
      const window = rolling ? { seconds: 100 } : ('lifetime' as const)
      const policy = policyWith({ budget: ['$1', '0.6 USDC'], window, now: time.now })
      // An independent model: dollars at 18 decimals (no asset here has more).
      type Held = { reservation: Awaited<ReturnType<typeof policy.reserve>>; value: bigint; usdc: boolean }
      const held: Held[] = []
      const spent: { value: bigint; usdc: boolean; at: number }[] = []
      const toUsd = (asset: AssetInfo, amount: bigint) => amount * 10n ** BigInt(18 - asset.decimals)
      for (const step of operations) {
        if (step.kind === 'reserve') {
          const amount = step.fraction / 10n ** BigInt(18 - step.asset.decimals)
          try {
            const reservation = await policy.reserve(quoteOf(step.asset, amount))
            held.push({ reservation, value: toUsd(step.asset, amount), usdc: step.asset.symbol === 'USDC' })
          } catch (error) {
            expect((error as TollgateError).code).toBe('policy_budget_exceeded')
          }
        } else if (step.kind === 'tick') {
          time.advance(step.seconds)
        } else if (held.length > 0) {
          const [entry] = held.splice(step.index % held.length, 1)
          if (entry === undefined) continue
          if (step.kind === 'commit') {
            await policy.commit(entry.reservation)
            spent.push({ value: entry.value, usdc: entry.usdc, at: time.now() })
          } else {
            await policy.release(entry.reservation)
          }
        }
        const counts = (entry: { at: number }) => !rolling || entry.at > time.now() - 100_000
        const sum = (entries: { value: bigint }[]) =>
          entries.reduce((total, entry) => total + entry.value, 0n)
        const usdTotal = sum(spent.filter(counts)) + sum(held)
        const usdcTotal =
          sum(spent.filter((entry) => counts(entry) && entry.usdc)) + sum(held.filter((entry) => entry.usdc))
        expect(usdTotal).toBeLessThanOrEqual(10n ** 18n)
        expect(usdcTotal).toBeLessThanOrEqual(6n * 10n ** 17n)
        const report = await policy.spent()
        expect(parseAmount(report.usd?.spent ?? '0', 18)).toBe(sum(spent.filter(counts)))
        expect(parseAmount(report.reserved.usd ?? '0', 18)).toBe(sum(held))
        expect(report.reserved.payments).toBe(held.length)
      }
    },
  )
})

describe('approval routed through a framework', () => {
  test('behavior: needsApproval compares a price with the threshold', () => {
    const policy = policyWith({ requireApprovalAbove: '$0.50' })
    expect(policy.needsApproval('$0.50')).toBe(false)
    expect(policy.needsApproval('$0.51')).toBe(true)
    expect(policy.needsApproval('0.6 USDC')).toBe(true)
    expect(policyWith().needsApproval('$100')).toBe(false)
  })

  test('behavior: approvedUpTo skips the callback within the approved amount only', async () => {
    const approve = vi.fn(() => false)
    const policy = policyWith({ budget: '$10', requireApprovalAbove: '$0.50', approve })
    const reservation = await policy.reserve(quoteOf(usdcBase, '0.6'), { approvedUpTo: '$0.60' })
    expect(approve).not.toHaveBeenCalled()
    await policy.commit(reservation)
    expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.7'), { approvedUpTo: '$0.60' }))).toBe(
      'policy_approval_declined',
    )
    expect(approve).toHaveBeenCalledTimes(1)
  })
})

test('behavior: check honours approvedUpTo too, so a policy without approve still pays what the owner approved', async () => {
  const policy = policyWith({ budget: '$10', requireApprovalAbove: '$0.50' })
  expect(await codeOf(() => policy.check(quoteOf(usdcBase, '0.6')))).toBe('policy_approval_declined')
  expect(await policy.check(quoteOf(usdcBase, '0.6'), { approvedUpTo: '$0.60' })).toEqual({
    approvalRequired: false,
  })
  await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.6'), { approvedUpTo: '$0.60' }))
  expect((await policy.spent()).usd).toMatchObject({ spent: '0.6' })
})

describe('one ledger, one budget', () => {
  test('behavior: spend from an earlier run in the ledger counts against the budget and the rate limit', async () => {
    const time = clock(T - 7200_000)
    const ledger = createMemoryLedger()
    const options = {
      registry,
      now: time.now,
      ledger,
      budget: '$1',
      window: { seconds: 3600 },
      rateLimit: { payments: 2, perSeconds: 60 },
    } as const
    const earlier = createSpendingPolicy(options)
    await earlier.commit(await earlier.reserve(quoteOf(usdcBase, '0.9')))
    time.advance(7190)
    await earlier.commit(await earlier.reserve(quoteOf(usdcBase, '0.6')))
    time.advance(10)
    const policy = createSpendingPolicy(options)
    // The first spend is outside the window; the second still counts.
    expect((await policy.spent()).usd).toMatchObject({ spent: '0.6', remaining: '0.4' })
    expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.5')))).toBe('policy_budget_exceeded')
    await policy.commit(await policy.reserve(quoteOf(usdcBase, '0.1')))
    expect(await codeOf(policy.reserve(quoteOf(usdcBase, '0.1')))).toBe('policy_rate_limited')
    time.advance(3599)
    expect((await policy.spent()).usd).toMatchObject({ spent: '0.1', remaining: '0.9' })
  })

  test('behavior: two policies on one ledger never reserve past the budget together, and a payment is reported once', async () => {
    const ledger = createMemoryLedger()
    const onPayment = vi.fn()
    const first = policyWith({ budget: '$1', ledger, onPayment })
    const second = policyWith({ budget: '$1', ledger, onPayment })
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? first : second).reserve(quoteOf(usdcBase, '0.1')),
      ),
    )
    const reserved = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    expect(reserved).toHaveLength(10)
    for (const reservation of reserved) {
      await first.commit(reservation)
      await second.commit(reservation)
    }
    expect(onPayment).toHaveBeenCalledTimes(10)
    expect((await second.spent()).usd).toMatchObject({ spent: '1', remaining: '0' })
  })
})
