import { describe, expect, test } from 'vitest'
import { TollgateError } from '../errors/tollgate-error.js'
import { createMemoryLedger } from './create-memory-ledger.js'
import type { LedgerRecord, TransferMatch } from './types.js'

const T = 1_700_000_000_000
const usdc = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
const payTo = '0x1111111111111111111111111111111111111111'
const base = {
  at: T,
  url: 'https://api.example.com/search',
  scheme: 'tx',
  network: 'eip155:8453',
  asset: usdc,
  payTo,
  amount: '10000',
} as const
const transfer: TransferMatch = {
  scheme: 'tx',
  network: 'eip155:8453',
  asset: usdc,
  payTo,
  minAmount: 10_000n,
}

function record(id: string, type: LedgerRecord['type'], extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return { id, type, ...base, ...extra }
}

function authorized(id: string, validBefore: unknown, extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return record(id, 'authorized', {
    scheme: 'exact',
    payload: {
      signature: '0xsig',
      authorization: {
        from: '0x2222222222222222222222222222222222222222',
        to: payTo,
        value: '10000',
        validAfter: '0',
        validBefore,
        nonce: '0x01',
      },
    },
    ...extra,
  })
}

async function errorOf(promise: Promise<unknown>): Promise<TollgateError> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

describe('createMemoryLedger', () => {
  test('default', async () => {
    const ledger = createMemoryLedger()
    await ledger.append(record('p1', 'quote'))
    await ledger.append(record('p1', 'broadcast', { transaction: '0xaa' }))
    expect(await ledger.records()).toEqual([
      record('p1', 'quote'),
      record('p1', 'broadcast', { transaction: '0xaa' }),
    ])
    expect(await ledger.findUnusedTransfer(transfer)).toEqual(
      record('p1', 'broadcast', { transaction: '0xaa' }),
    )
  })

  test('behavior: records are stored as JSON stores them and detached from the caller', async () => {
    const ledger = createMemoryLedger()
    const hints = { blockNumber: 123n, logIndex: 2 }
    await ledger.append(record('p1', 'confirmed', { transaction: '0xaa', hints }))
    hints.logIndex = 99
    const [stored] = await ledger.records()
    expect(stored?.hints).toEqual({ blockNumber: '123', logIndex: 2 })
    if (stored?.hints) stored.hints.logIndex = 7
    expect((await ledger.records())[0]?.hints).toEqual({ blockNumber: '123', logIndex: 2 })
  })

  describe('findUnusedTransfer', () => {
    test('behavior: money that left and was never credited is offered, with the latest record of its payment', async () => {
      const ledger = createMemoryLedger()
      await ledger.append(record('p1', 'quote'))
      expect(await ledger.findUnusedTransfer(transfer)).toBeUndefined()
      await ledger.append(record('p1', 'broadcast', { transaction: '0xaa' }))
      await ledger.append(record('p1', 'confirmed', { transaction: '0xaa', hints: { blockNumber: '5' } }))
      expect(await ledger.findUnusedTransfer(transfer)).toMatchObject({
        type: 'confirmed',
        hints: { blockNumber: '5' },
      })
      // Not-yet-final rejections keep it usable: paying again could pay twice.
      await ledger.append(record('p1', 'rejected', { error: 'verify_unconfirmed' }))
      await ledger.append(record('p1', 'released'))
      expect(await ledger.findUnusedTransfer(transfer)).toMatchObject({ id: 'p1', transaction: '0xaa' })
      await ledger.append(record('p1', 'accepted', { transaction: '0xaa' }))
      expect(await ledger.findUnusedTransfer(transfer)).toBeUndefined()
    })

    test.each([
      ['accepted', undefined],
      ['failed', 'payment_failed'],
      ['rejected', 'payment_already_used'],
      ['rejected', 'verify_tx_failed'],
      ['rejected', 'verify_recipient_mismatch'],
    ] as const)('behavior: %s (%s) closes the payment for good', async (type, error) => {
      const ledger = createMemoryLedger()
      await ledger.append(record('p1', 'broadcast', { transaction: '0xaa' }))
      await ledger.append(record('p1', type, error === undefined ? {} : { error }))
      await ledger.append(record('p1', 'confirmed', { transaction: '0xaa' }))
      expect(await ledger.findUnusedTransfer(transfer)).toBeUndefined()
    })

    test('behavior: the latest matching transfer wins', async () => {
      const ledger = createMemoryLedger()
      await ledger.append(record('p1', 'broadcast', { transaction: '0x01' }))
      await ledger.append(record('p2', 'broadcast', { transaction: '0x02' }))
      await ledger.append(record('p3', 'broadcast', { transaction: '0x03', amount: '9999' }))
      await ledger.append(record('p1', 'confirmed', { transaction: '0x01' }))
      expect((await ledger.findUnusedTransfer(transfer))?.transaction).toBe('0x01')
      await ledger.append(record('p1', 'accepted'))
      expect((await ledger.findUnusedTransfer(transfer))?.transaction).toBe('0x02')
    })

    test('behavior: scheme, network, asset, recipient and amount must match; EVM addresses in any case', async () => {
      const ledger = createMemoryLedger()
      await ledger.append(record('p1', 'broadcast', { transaction: '0xaa', amount: '20000' }))
      const found = (match: Partial<TransferMatch>) => ledger.findUnusedTransfer({ ...transfer, ...match })
      expect(
        await found({ asset: usdc.toLowerCase(), payTo: payTo.toUpperCase().replace('0X', '0x') }),
      ).toBeDefined()
      expect(await found({ minAmount: 20_000n })).toBeDefined()
      expect(await found({ minAmount: 20_001n })).toBeUndefined()
      expect(await found({ scheme: 'exact' })).toBeUndefined()
      expect(await found({ network: 'eip155:1' })).toBeUndefined()
      expect(await found({ asset: '0x0000000000000000000000000000000000000001' })).toBeUndefined()
      expect(await found({ payTo: '0x0000000000000000000000000000000000000001' })).toBeUndefined()
    })

    test('behavior: Solana addresses are case-sensitive', async () => {
      const ledger = createMemoryLedger()
      const solana = {
        network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
        asset: 'EPjFWvd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
        payTo: '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin',
      }
      await ledger.append(record('p1', 'broadcast', { transaction: 'sig', ...solana }))
      expect(await ledger.findUnusedTransfer({ ...transfer, ...solana })).toBeDefined()
      expect(
        await ledger.findUnusedTransfer({ ...transfer, ...solana, payTo: solana.payTo.toLowerCase() }),
      ).toBeUndefined()
    })

    test('error: a malformed match', async () => {
      const ledger = createMemoryLedger()
      const error = await errorOf(
        ledger.findUnusedTransfer({ ...transfer, minAmount: 10_000 as unknown as bigint }),
      )
      expect(error).toMatchInlineSnapshot(
        `[TollgateError: findUnusedTransfer needs { scheme, network, asset, payTo, minAmount } with minAmount a bigint, and \`take\` a { holder, until }.]`,
      )
    })
  })

  describe('findUnusedAuthorization', () => {
    const match = { network: 'eip155:8453', asset: usdc, payTo, minAmount: 10_000n, now: T }

    test('behavior: a signed authorization that is still valid and was never credited', async () => {
      const ledger = createMemoryLedger()
      await ledger.append(authorized('p1', String(T / 1000 + 60)))
      expect(await ledger.findUnusedAuthorization(match)).toMatchObject({ id: 'p1', type: 'authorized' })
      expect(await ledger.findUnusedAuthorization({ ...match, scheme: 'exact' })).toBeDefined()
      expect(await ledger.findUnusedAuthorization({ ...match, scheme: 'tx' })).toBeUndefined()
      // validBefore is exclusive: at that second it can no longer settle.
      expect(await ledger.findUnusedAuthorization({ ...match, now: T + 59_999 })).toBeDefined()
      expect(await ledger.findUnusedAuthorization({ ...match, now: T + 60_000 })).toBeUndefined()
      await ledger.append(record('p1', 'accepted', { scheme: 'exact' }))
      expect(await ledger.findUnusedAuthorization(match)).toBeUndefined()
    })

    test('behavior: numeric validBefore works; an unreadable one is never reused', async () => {
      const ledger = createMemoryLedger()
      await ledger.append(authorized('p1', T / 1000 + 60))
      expect((await ledger.findUnusedAuthorization(match))?.id).toBe('p1')
      const other = createMemoryLedger()
      await other.append(authorized('p2', 'soon'))
      await other.append(record('p3', 'authorized', { scheme: 'exact', payload: { signature: '0x' } }))
      expect(await other.findUnusedAuthorization(match)).toBeUndefined()
    })

    test('behavior: a final rejection or failure closes it; a transient one does not', async () => {
      const ledger = createMemoryLedger()
      await ledger.append(authorized('p1', String(T / 1000 + 60)))
      await ledger.append(record('p1', 'rejected', { scheme: 'exact', error: 'settlement_failed' }))
      expect(await ledger.findUnusedAuthorization(match)).toBeDefined()
      await ledger.append(
        record('p1', 'rejected', { scheme: 'exact', error: 'invalid_exact_evm_nonce_already_used' }),
      )
      expect(await ledger.findUnusedAuthorization(match)).toBeUndefined()
      await ledger.append(authorized('p2', String(T / 1000 + 60)))
      await ledger.append(record('p2', 'failed', { scheme: 'exact', error: 'payment_failed' }))
      expect(await ledger.findUnusedAuthorization(match)).toBeUndefined()
    })

    test('error: now must be unix milliseconds', async () => {
      const ledger = createMemoryLedger()
      expect(
        await errorOf(ledger.findUnusedAuthorization({ ...match, now: Number.NaN })),
      ).toMatchInlineSnapshot(
        `[TollgateError: findUnusedAuthorization needs \`now\` in unix milliseconds, got "NaN".]`,
      )
    })
  })

  test('error: invalid records are refused', async () => {
    const ledger = createMemoryLedger()
    expect(await errorOf(ledger.append(record('p1', 'broadcast')))).toMatchInlineSnapshot(
      `[TollgateError: Ledger record is invalid: a broadcast or confirmed record needs its transaction.]`,
    )
    expect(await errorOf(ledger.append(record('p1', 'quote', { amount: '0.5' })))).toMatchInlineSnapshot(
      `[TollgateError: Ledger record is invalid: amount: must be a canonical decimal integer string.]`,
    )
    expect(await errorOf(ledger.append(record('p1', 'authorized')))).toMatchInlineSnapshot(
      `[TollgateError: Ledger record is invalid: an authorized record needs its payload.]`,
    )
    expect(await errorOf(ledger.append({ ...record('p1', 'quote'), type: 'paid' as never }))).toMatchObject({
      code: 'config_invalid',
    })
    expect(await ledger.records()).toEqual([])
  })

  test('error: key material is never recorded', async () => {
    const ledger = createMemoryLedger()
    const leaky = record('p1', 'authorized', {
      payload: { signature: '0x', wallet: { privateKey: '0xdead' } },
    })
    const error = await errorOf(ledger.append(leaky))
    expect(error).toMatchInlineSnapshot(
      `[TollgateError: Ledger record carries a field named "privateKey"; key material is never recorded.]`,
    )
    expect(JSON.stringify(error.toJSON())).not.toContain('0xdead')
    expect(await ledger.records()).toEqual([])
  })
})
