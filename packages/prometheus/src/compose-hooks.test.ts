import type { GateHooks, PaymentReceipt } from '@tollgate/core'
import { TollgateError } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { composeHooks } from './compose-hooks.js'

const request = { method: 'GET', url: 'http://localhost/api/search', headers: new Headers() }
const receipt: PaymentReceipt = { method: 'pass', route: 'GET /api/search', payer: '0xpayer', passId: 'jti' }
const error = new TollgateError('payment_already_used', 'This transaction has already paid for a request.')

/** Hooks that record `<label>:<hook>` for every call. */
function recorder(label: string, calls: string[]): Required<GateHooks> {
  return {
    onPayment: () => calls.push(`${label}:onPayment`),
    onReject: () => calls.push(`${label}:onReject`),
    onVerify: () => calls.push(`${label}:onVerify`),
    onSettle: () => calls.push(`${label}:onSettle`),
  }
}

function fireAll(hooks: GateHooks): void {
  hooks.onPayment?.({ receipt, request })
  hooks.onReject?.({ error, route: 'GET /api/search', request })
  hooks.onVerify?.({ scheme: 'tx', network: 'eip155:1', route: 'GET /api/search', durationMs: 3 })
  hooks.onSettle?.({
    network: 'eip155:1',
    route: 'GET /api/search',
    durationMs: 5,
    response: { success: true, transaction: '0x1', network: 'eip155:1' },
  })
}

describe('composeHooks', () => {
  test('default: every hook of every set is called, in the order given, with the same event', () => {
    const calls: string[] = []
    const seen: unknown[] = []
    const hooks = composeHooks(
      recorder('first', calls),
      { onPayment: (event) => seen.push(event) },
      recorder('last', calls),
    )
    fireAll(hooks)
    expect(calls).toMatchInlineSnapshot(`
      [
        "first:onPayment",
        "last:onPayment",
        "first:onReject",
        "last:onReject",
        "first:onVerify",
        "last:onVerify",
        "first:onSettle",
        "last:onSettle",
      ]
    `)
    expect(seen).toEqual([{ receipt, request }])
  })

  test('behavior: undefined sets and missing hooks are skipped', () => {
    const calls: string[] = []
    const hooks = composeHooks(undefined, {}, recorder('only', calls), undefined)
    fireAll(hooks)
    expect(calls).toHaveLength(4)
    expect(() => fireAll(composeHooks())).not.toThrow()
  })

  test('behavior: a hook that throws stops neither the others nor the caller', () => {
    const calls: string[] = []
    const throwing: Required<GateHooks> = {
      onPayment: () => {
        throw new Error('logger down')
      },
      onReject: () => {
        throw new Error('logger down')
      },
      onVerify: () => {
        throw new Error('logger down')
      },
      onSettle: () => {
        throw new Error('logger down')
      },
    }
    const hooks = composeHooks(throwing, recorder('after', calls))
    expect(() => fireAll(hooks)).not.toThrow()
    expect(calls).toEqual(['after:onPayment', 'after:onReject', 'after:onVerify', 'after:onSettle'])
  })

  test('behavior: an async hook that rejects leaves no unhandled rejection', async () => {
    const calls: string[] = []
    const rejecting = {
      onPayment: async () => {
        throw new Error('remote sink down')
      },
    } as GateHooks
    const hooks = composeHooks(rejecting, recorder('after', calls))
    fireAll(hooks)
    // vitest fails the run on an unhandled rejection; give it the chance to surface.
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(calls).toContain('after:onPayment')
  })
})
