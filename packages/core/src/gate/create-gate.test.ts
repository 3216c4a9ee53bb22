import { describe, expect, test } from 'vitest'
import { evmNetwork } from '../evm/evm-network.js'
import { createKeyring } from '../keyring/create-keyring.js'
import { encodePass } from '../pass/encode-pass.js'
import { createMemoryStore } from '../store/memory-store.js'
import { createGate } from './create-gate.js'
import type { CreateGateOptions } from './types.js'

const options = (overrides: Partial<CreateGateOptions> = {}): CreateGateOptions => ({
  routes: { 'GET /api/search': { price: '$0.001' } },
  payTo: '0x000000000000000000000000000000000000dEaD',
  networks: [evmNetwork({ network: 'eip155:8453', rpcUrl: 'http://127.0.0.1:9' })],
  secret: 'create-gate-unit-secret-0123456789abcdef',
  ...overrides,
})

describe('createGate', () => {
  test('behavior: a gate on a store that is not durable says so once, at creation', async () => {
    const warnings: string[] = []
    const gate = createGate(options({ logger: { warn: (message) => warnings.push(message) } }))
    await gate.check(new Request('https://api.example.test/api/search'))
    await gate.check(new Request('https://api.example.test/api/search'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('does not survive a restart')
  })

  test('behavior: a durable store gets no warning', () => {
    const warnings: string[] = []
    createGate(
      options({
        store: { ...createMemoryStore(), durable: true },
        logger: { warn: (message) => warnings.push(message) },
      }),
    )
    expect(warnings).toEqual([])
  })

  test('behavior: an async hook that rejects is reported, and the decision stands', async () => {
    const reported: unknown[] = []
    let resolveReported = () => {}
    const reportedOnce = new Promise<void>((resolve) => (resolveReported = resolve))
    const failure = new Error('metrics sink down')
    const gate = createGate(
      options({
        store: { ...createMemoryStore(), durable: true },
        hooks: {
          onReject: (async () => {
            throw failure
          }) as () => void,
        },
        logger: {
          warn: (_message, error) => {
            reported.push(error)
            resolveReported()
          },
        },
      }),
    )
    const decision = await gate.check(
      new Request('https://api.example.test/api/search', { headers: { 'PAYMENT-SIGNATURE': 'not base64' } }),
    )
    expect(decision.outcome).toBe('rejected')
    expect(decision.outcome === 'rejected' && decision.error?.code).toBe('header_malformed')
    await reportedOnce
    expect(reported).toEqual([failure])
  })

  test('behavior: a hook that throws synchronously is reported, and the decision stands', async () => {
    const reported: unknown[] = []
    const gate = createGate(
      options({
        store: { ...createMemoryStore(), durable: true },
        hooks: {
          onReject: () => {
            throw new Error('broken')
          },
        },
        logger: { warn: (_message, error) => reported.push(error) },
      }),
    )
    const decision = await gate.check(
      new Request('https://api.example.test/api/search', { headers: { 'PAYMENT-SIGNATURE': 'not base64' } }),
    )
    expect(decision.outcome).toBe('rejected')
    expect(reported).toEqual([new Error('broken')])
  })

  test('error: publicUrl that is not an http(s) URL', () => {
    expect(() => createGate(options({ publicUrl: 'ftp://x', logger: { warn: () => {} } }))).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })

  test('behavior: the per-payer limit counts an EVM payer once whatever its casing, and Solana payers by exact address', async () => {
    const secret = 'create-gate-unit-secret-0123456789abcdef'
    const keyring = createKeyring(secret)
    const gate = createGate(
      options({
        secret: keyring,
        store: { ...createMemoryStore(), durable: true },
        rateLimit: { perPayer: { capacity: 1, refillPerSecond: 0.001 } },
      }),
    )
    const ride = async (sub: string) => {
      const { token } = await encodePass(
        { sub, scope: { routes: ['GET /api/search'] }, ttlSeconds: 600 },
        { keyring },
      )
      const decision = await gate.check(
        new Request('https://api.example.test/api/search', { headers: { 'X-Payment-Pass': token } }),
      )
      return decision.outcome === 'rejected' ? decision.response.status : decision.outcome
    }
    const evm = '0x00000000000000000000000000000000000aBcDe'
    expect(await ride(evm)).toBe('paid')
    expect(await ride(evm.toLowerCase())).toBe(429)
    // Base58 is case-sensitive: these are two different wallets, with a bucket each.
    expect(await ride('9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin')).toBe('paid')
    expect(await ride('9xqewvg816bux9epjhmat23yvvm2zwbrrpzb9pusvfin')).toBe('paid')
    expect(await ride('9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin')).toBe(429)
  })
})
