import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { PaymentRequired, PendingPayment } from '@tollgate/core'
import { describe, expect, test, vi } from 'vitest'
import { callPaidTool } from './call-paid-tool.js'

const paymentRequired: PaymentRequired = {
  x402Version: 2,
  error: 'payment_required',
  resource: { url: 'mcp://tool/forecast' },
  accepts: [
    {
      scheme: 'tx',
      network: 'eip155:31337',
      asset: '0x0000000000000000000000000000000000000001',
      amount: '10000',
      payTo: '0x0000000000000000000000000000000000000002',
      maxTimeoutSeconds: 60,
      extra: {},
    },
  ],
}

describe('callPaidTool', () => {
  test('error: when the paid call gets no answer, the payment is kept reusable with lost(), not rejected', async () => {
    const unpaid: CallToolResult = {
      isError: true,
      structuredContent: paymentRequired as unknown as Record<string, unknown>,
      content: [{ type: 'text', text: JSON.stringify(paymentRequired) }],
    }
    const failure = new Error('connection closed')
    const callTool = vi.fn().mockResolvedValueOnce(unpaid).mockRejectedValueOnce(failure)
    const pending = {
      payload: { x402Version: 2 },
      accepted: vi.fn(),
      rejected: vi.fn(),
      retry: vi.fn(),
      lost: vi.fn(),
    } as unknown as PendingPayment
    const pay = vi.fn(async () => pending)
    await expect(callPaidTool({ callTool }, { pay }, { name: 'forecast' })).rejects.toBe(failure)
    expect(pay).toHaveBeenCalledWith(expect.objectContaining({ x402Version: 2 }), {
      url: 'mcp://tool/forecast',
      // The payment is bound to this call, so the same call made again reuses it.
      request: JSON.stringify({ name: 'forecast', arguments: {} }),
    })
    expect(callTool.mock.calls[1]?.[0]).toMatchObject({ _meta: { 'x402/payment': { x402Version: 2 } } })
    expect(pending.lost).toHaveBeenCalledTimes(1)
    expect(pending.rejected).not.toHaveBeenCalled()
    expect(pending.accepted).not.toHaveBeenCalled()
  })

  test('behavior: a refusal the payment recovers from is answered with the same payment proven again, not a new one', async () => {
    const refusal = { ...paymentRequired, error: 'verify_tx_not_found' }
    const refused: CallToolResult = {
      isError: true,
      structuredContent: refusal as unknown as Record<string, unknown>,
      content: [{ type: 'text', text: JSON.stringify(refusal) }],
    }
    const unpaid: CallToolResult = {
      ...refused,
      structuredContent: paymentRequired as unknown as Record<string, unknown>,
    }
    const served: CallToolResult = { content: [{ type: 'text', text: 'sunny' }] }
    const callTool = vi
      .fn()
      .mockResolvedValueOnce(unpaid)
      .mockResolvedValueOnce(refused)
      .mockResolvedValueOnce(served)
    const pending = {
      payload: { x402Version: 2, proof: 1 },
      accepted: vi.fn(async () => ({ method: 'payment' })),
      rejected: vi.fn(),
      retry: vi.fn(async () => ({ x402Version: 2, proof: 2 })),
      lost: vi.fn(),
    } as unknown as PendingPayment
    const pay = vi.fn(async () => pending)
    const { result, payment } = await callPaidTool({ callTool }, { pay }, { name: 'forecast' })
    expect(result).toBe(served)
    expect(payment).toEqual({ method: 'payment' })
    expect(pay).toHaveBeenCalledTimes(1)
    expect(pending.retry).toHaveBeenCalledWith(
      expect.objectContaining({ error: 'verify_tx_not_found' }),
      'verify_tx_not_found',
    )
    expect(callTool.mock.calls.map((call) => call[0]._meta?.['x402/payment'])).toEqual([
      undefined,
      { x402Version: 2, proof: 1 },
      { x402Version: 2, proof: 2 },
    ])
    expect(pending.rejected).not.toHaveBeenCalled()
  })

  test('error: a final refusal is reported once and surfaced', async () => {
    const refusal = { ...paymentRequired, error: 'payment_already_used' }
    const refused: CallToolResult = {
      isError: true,
      structuredContent: refusal as unknown as Record<string, unknown>,
      content: [{ type: 'text', text: JSON.stringify(refusal) }],
    }
    const unpaid: CallToolResult = {
      ...refused,
      structuredContent: paymentRequired as unknown as Record<string, unknown>,
    }
    const callTool = vi.fn().mockResolvedValueOnce(unpaid).mockResolvedValueOnce(refused)
    const failure = new Error('refused')
    const pending = {
      payload: { x402Version: 2 },
      accepted: vi.fn(),
      rejected: vi.fn(async () => failure),
      retry: vi.fn(async () => undefined),
      lost: vi.fn(),
    } as unknown as PendingPayment
    await expect(callPaidTool({ callTool }, { pay: async () => pending }, { name: 'forecast' })).rejects.toBe(
      failure,
    )
    expect(pending.rejected).toHaveBeenCalledTimes(1)
    expect(pending.rejected).toHaveBeenCalledWith('payment_already_used')
  })

  test('behavior: payment_in_progress and settlement_pending are answered by resending the same payment', async () => {
    const unpaid: CallToolResult = {
      isError: true,
      structuredContent: paymentRequired as unknown as Record<string, unknown>,
      content: [{ type: 'text', text: JSON.stringify(paymentRequired) }],
    }
    const busy = (error: string): CallToolResult => ({
      isError: true,
      structuredContent: { error, status: 409, retryAfterSeconds: 0 },
      content: [{ type: 'text', text: JSON.stringify({ error, status: 409, retryAfterSeconds: 0 }) }],
    })
    const served: CallToolResult = { content: [{ type: 'text', text: 'sunny' }] }
    const callTool = vi
      .fn()
      .mockResolvedValueOnce(unpaid)
      .mockResolvedValueOnce(busy('payment_in_progress'))
      .mockResolvedValueOnce(busy('settlement_pending'))
      .mockResolvedValueOnce(served)
    const pending = {
      payload: { x402Version: 2, proof: 1 },
      accepted: vi.fn(async () => ({ method: 'payment' })),
      rejected: vi.fn(),
      retry: vi.fn(),
      lost: vi.fn(),
    } as unknown as PendingPayment
    const pay = vi.fn(async () => pending)
    const { result } = await callPaidTool({ callTool }, { pay }, { name: 'forecast' })
    expect(result).toBe(served)
    expect(pay).toHaveBeenCalledTimes(1)
    expect(callTool.mock.calls.slice(1).map((call) => call[0]._meta?.['x402/payment'])).toEqual([
      { x402Version: 2, proof: 1 },
      { x402Version: 2, proof: 1 },
      { x402Version: 2, proof: 1 },
    ])
    expect(pending.accepted).toHaveBeenCalledTimes(1)
    expect(pending.rejected).not.toHaveBeenCalled()
  })

  test('error: still in progress after every resend: the payment stays reusable, never reported refused', async () => {
    const unpaid: CallToolResult = {
      isError: true,
      structuredContent: paymentRequired as unknown as Record<string, unknown>,
      content: [{ type: 'text', text: JSON.stringify(paymentRequired) }],
    }
    const busy: CallToolResult = {
      isError: true,
      structuredContent: { error: 'payment_in_progress', status: 409 },
      content: [{ type: 'text', text: JSON.stringify({ error: 'payment_in_progress', status: 409 }) }],
    }
    const callTool = vi.fn().mockResolvedValueOnce(unpaid).mockResolvedValue(busy)
    const pending = {
      payload: { x402Version: 2 },
      accepted: vi.fn(),
      rejected: vi.fn(),
      retry: vi.fn(),
      lost: vi.fn(),
    } as unknown as PendingPayment
    const { result, payment } = await callPaidTool(
      { callTool },
      { pay: async () => pending },
      { name: 'forecast' },
      { retry: { maxAttempts: 2, maxDelayMs: 0 } },
    )
    expect(result).toBe(busy)
    expect(payment).toBeUndefined()
    expect(callTool).toHaveBeenCalledTimes(4)
    expect(pending.lost).toHaveBeenCalledTimes(1)
    expect(pending.rejected).not.toHaveBeenCalled()
  })
})
