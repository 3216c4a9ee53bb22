import { describe, expect, test } from 'vitest'
import { createSpendingPolicy } from '../policy/create-spending-policy.js'
import { withJsonAmounts } from './with-json-amounts.js'

describe('withJsonAmounts', () => {
  test('default: bigints become decimal strings in JSON, and stay bigints in code', () => {
    const report = withJsonAmounts({ spentAtomic: 10n, assets: [{ reservedAtomic: 2n, symbol: 'USDC' }] })
    expect(JSON.stringify(report)).toBe(
      '{"spentAtomic":"10","assets":[{"reservedAtomic":"2","symbol":"USDC"}]}',
    )
    expect(report.spentAtomic).toBe(10n)
    expect(Object.keys(report)).toEqual(['spentAtomic', 'assets'])
  })

  test('behavior: a real spending report serialises', async () => {
    const report = withJsonAmounts(await createSpendingPolicy({ budget: ['10 USDC'] }).spent())
    expect(() => JSON.stringify(report)).not.toThrow()
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ payments: 0 })
  })
})
