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
})
