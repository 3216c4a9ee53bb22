import {
  createGate,
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentRequirements,
} from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { transfer, transfersOnChain, usdcBalance, usdcRegistry, walletOf } from '@tollgate/test-support'
import express from 'express'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen, SECRET, startDemo } from '../src/fixtures.js'

let demo: Awaited<ReturnType<typeof startDemo>>

beforeAll(async () => {
  demo = await startDemo()
})
afterAll(async () => {
  await demo?.stop()
})

/** Signs an exact authorization for the first `exact` option of a 402, as the client's wallet does. */
async function authorizationHeader(url: string, payer: number, init: RequestInit = {}): Promise<string> {
  const quote = await fetch(url, init)
  expect(quote.status).toBe(402)
  const accepted = decodePaymentRequiredHeader(quote.headers.get('PAYMENT-REQUIRED')!).accepts.find(
    (entry) => entry.scheme === 'exact',
  ) as PaymentRequirements
  const asset = usdcRegistry(demo.devnet).asset(accepted.network, accepted.asset)
  const payload = await walletOf(demo.devnet, payer).authorize!({
    requirements: accepted,
    asset,
    now: Date.now(),
  })
  return encodePaymentSignatureHeader({ x402Version: 2, accepted, payload })
}

describe('x402 exact through the Express middleware', () => {
  test('behavior: 20 concurrent duplicates of one authorization -> exactly one 200, one transfer', async () => {
    const url = `${demo.api.url}/api/search?q=duplicates`
    const header = await authorizationHeader(url, 0)
    const before = await transfersOnChain(demo.devnet, demo.devnet.accounts[0]!.address, demo.payTo)
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(url, { headers: { 'PAYMENT-SIGNATURE': header } })),
    )
    // One sale; a duplicate that arrives after it gets its kept response again (a replay).
    const sales = responses.filter(
      (response) => response.status === 200 && response.headers.get('payment-replay') !== 'true',
    )
    expect(sales).toHaveLength(1)
    const codes = await Promise.all(
      responses
        .filter((response) => response.status !== 200)
        .map(async (response) => (await response.json()).error),
    )
    // Duplicates that arrive while the first is settling are in flight (409), later ones spent (402).
    for (const code of codes) expect(['payment_in_progress', 'payment_already_used']).toContain(code)
    expect(
      (await transfersOnChain(demo.devnet, demo.devnet.accounts[0]!.address, demo.payTo)).length -
        before.length,
    ).toBe(1)
  })

  test('error: settlement fails after the handler ran -> the handler output is never sent', async () => {
    const payer = demo.devnet.accounts[5]!
    let handlerRan = false
    const app = express()
    app.use(
      tollgate(
        createGate({
          logger: { warn: () => {} },
          routes: { 'GET /secret': { price: '$0.01' } },
          payTo: demo.payTo,
          networks: [
            evmNetwork({
              network: demo.devnet.network,
              rpcUrl: demo.devnet.rpcUrl,
              tx: false,
              exact: { settler: privateKeyToAccount(demo.devnet.accounts[8]!.privateKey) },
            }),
          ],
          secret: SECRET,
          registry: usdcRegistry(demo.devnet),
        }),
      ),
    )
    app.get('/secret', async (_request, response) => {
      handlerRan = true
      // The payer empties its balance while the request is being served: settlement must fail.
      const balance = await usdcBalance(demo.devnet, payer.address)
      await transfer(demo.devnet, { from: 5, to: demo.devnet.accounts[4]!.address, amount: balance })
      response.json({ secret: 'the handler output' })
    })
    const server = await listen((request, response) => app(request, response))
    try {
      const header = await authorizationHeader(`${server.url}/secret`, 5)
      const response = await fetch(`${server.url}/secret`, { headers: { 'PAYMENT-SIGNATURE': header } })
      expect(handlerRan).toBe(true)
      expect(response.status).toBe(402)
      const text = await response.text()
      expect(text).not.toContain('the handler output')
      expect(JSON.parse(text)).toMatchObject({
        error: expect.stringMatching(/settlement_failed|invalid_exact_evm|insufficient_funds/),
      })
      expect(response.headers.get('PAYMENT-RESPONSE')).toBeTruthy()
      expect(await transfersOnChain(demo.devnet, payer.address, demo.payTo)).toEqual([])
    } finally {
      await server.close()
    }
  })
})
