import { describe, expect, test } from 'vitest'
import type { GateRuntime } from './gate-runtime.js'
import { carriesPayment, readPaymentHeaders } from './read-payment-headers.js'

const FIELDS = {
  'payment-signature': 'eyJ4NDAyVmVyc2lvbiI6Mn0',
  'x-payment': 'eyJ4NDAyVmVyc2lvbiI6MX0',
  authorization: ['Payment eyJjaGFsbGVuZ2UiOnt9fQ', 'Bearer abc', ' payment\teyJ'],
} as const

// Every subset of the payment fields, with each `Authorization` value, under every protocol choice.
function* cases() {
  for (const x402 of [true, false])
    for (const mpp of [true, false])
      for (const signature of [null, FIELDS['payment-signature']])
        for (const v1 of [null, FIELDS['x-payment']])
          for (const authorization of [null, ...FIELDS.authorization])
            yield {
              protocols: { x402, mpp },
              fields: { 'payment-signature': signature, 'x-payment': v1, authorization },
            }
}

describe('carriesPayment', () => {
  test('behavior: true exactly when readPaymentHeaders finds a payment, for every field and protocol', () => {
    const outcomes = { carrying: 0, not: 0 }
    for (const { protocols, fields } of cases()) {
      const runtime = { protocols } as unknown as GateRuntime
      // Field names are case-insensitive, as on the wire.
      const headers = { get: (name: string) => fields[name.toLowerCase() as keyof typeof fields] ?? null }
      const sent = readPaymentHeaders(runtime, headers)
      const found = sent.signature !== null || sent.v1 !== null || sent.mpp !== null
      expect({ protocols, fields, carries: carriesPayment(runtime, headers) }).toEqual({
        protocols,
        fields,
        carries: found,
      })
      outcomes[found ? 'carrying' : 'not']++
    }
    // Both answers occur: 64 cases, of which these many carry a payment.
    expect(outcomes).toEqual({ carrying: 34, not: 30 })
  })
})
