import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type ClientEvent,
  type ClientPreferences,
  createClient,
  decodePaymentReceipt,
  decodePaymentResponseHeader,
} from '@tollgate/core'
import { transfersOnChain, usdcRegistry, walletOf } from '@tollgate/test-support'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen, proxyTo, startDemo } from '../src/fixtures.js'

let demo: Awaited<ReturnType<typeof startDemo>>
const payer = (index: number) => demo.devnet.accounts[index]!.address as Address

beforeAll(async () => {
  demo = await startDemo()
})
afterAll(async () => {
  await demo?.stop()
})

function clientFor(index: number, protocols?: ClientPreferences['protocols'], fetchVia?: typeof fetch) {
  const events: ClientEvent[] = []
  const client = createClient({
    wallets: [walletOf(demo.devnet, index)],
    registry: usdcRegistry(demo.devnet),
    policy: { budget: '$10' },
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    ...(protocols ? { preferences: { protocols } } : {}),
    ...(fetchVia ? { fetch: fetchVia } : {}),
    onEvent: (event) => events.push(event),
  })
  const signed = () => events.filter((event) => event.type === 'authorization_signed').length
  return { client, signed }
}

// Records which credential each request to the demo API carried.
function recording() {
  const sent: { authorization: string | null; signature: string | null }[] = []
  const fetchVia: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers)
    sent.push({ authorization: headers.get('Authorization'), signature: headers.get('PAYMENT-SIGNATURE') })
    return fetch(input, init)
  }
  return { sent, fetchVia }
}

describe('the Tollgate client pays the Tollgate gate (the demo API) over MPP', () => {
  test('MPP first: Authorization: Payment, both receipts, one transfer on chain', async () => {
    const { sent, fetchVia } = recording()
    const { client, signed } = clientFor(1, ['mpp', 'x402'], fetchVia)
    const response = await client.fetch(`${demo.api.url}/api/search?q=mpp`)
    expect(response.status).toBe(200)
    const receipt = decodePaymentReceipt(response.headers.get('Payment-Receipt'))
    const settle = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(receipt.reference).toBe(settle.transaction)
    expect(client.paymentFor(response)).toMatchObject({ scheme: 'mpp', transaction: receipt.reference })
    expect(sent.map((entry) => entry.authorization?.startsWith('Payment ') ?? false)).toEqual([false, true])
    expect(sent.every((entry) => entry.signature === null)).toBe(true)
    expect(signed()).toBe(1)
    expect(await transfersOnChain(demo.devnet, payer(1), demo.payTo)).toEqual([1000n])
  })

  test('a 402 offering both protocols is paid exactly once, whichever is preferred', async () => {
    for (const [index, protocols] of [
      [2, ['x402', 'mpp']],
      [3, ['mpp', 'x402']],
    ] as const) {
      const { client, signed } = clientFor(index, protocols)
      const response = await client.fetch(`${demo.api.url}/api/search?q=once`)
      expect(response.status).toBe(200)
      expect(client.paymentFor(response)?.scheme).toBe(protocols[0] === 'mpp' ? 'mpp' : 'exact')
      expect(signed()).toBe(1)
      expect(await transfersOnChain(demo.devnet, payer(index), demo.payTo)).toEqual([1000n])
    }
  })

  test('a pass bought over MPP is kept and reused: one payment for six calls', async () => {
    const { client, signed } = clientFor(5, ['mpp', 'x402'])
    const bought = await client.fetch(`${demo.api.url}/api/pass`, { method: 'POST' })
    expect(bought.status).toBe(200)
    expect(client.paymentFor(bought)).toMatchObject({ scheme: 'mpp' })
    expect(client.passes()).toHaveLength(1)
    for (let index = 0; index < 5; index++) {
      expect((await client.fetch(`${demo.api.url}/api/search?q=${index}`)).status).toBe(200)
    }
    expect(signed()).toBe(1)
    expect(await transfersOnChain(demo.devnet, payer(5), demo.payTo)).toEqual([1_000_000n])
  })

  test('a lost answer resends the same credential and gets the kept answer; paid once', async () => {
    const credentials: string[] = []
    const front = await listen(
      proxyTo(demo.api.url, (request: IncomingMessage, response: ServerResponse) => {
        const authorization = request.headers.authorization
        if (authorization === undefined) return false
        credentials.push(authorization)
        if (credentials.length > 1) return false
        // The first paid request reaches the gate and is served, but its answer is lost.
        void fetch(`${demo.api.url}${request.url}`, { headers: { authorization } }).then(() =>
          response.socket?.destroy(),
        )
        return true
      }),
    )
    try {
      const { client, signed } = clientFor(4, ['mpp'])
      const response = await client.fetch(`${front.url}/api/search?q=lost`)
      expect(response.status).toBe(200)
      expect(response.headers.get('Payment-Replay')).toBe('true')
      expect(credentials).toHaveLength(2)
      expect(credentials[1]).toBe(credentials[0])
      expect(signed()).toBe(1)
      expect(await transfersOnChain(demo.devnet, payer(4), demo.payTo)).toEqual([1000n])
    } finally {
      await front.close()
    }
  })
})
