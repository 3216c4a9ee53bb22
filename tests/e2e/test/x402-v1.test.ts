import { createChainRegistry, createClient, createGate, decodePaymentRequiredHeader } from '@tollgate/core'
import { evmNetwork, evmWallet } from '@tollgate/core/evm'
import { usdcBalance } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen, SECRET } from '../src/fixtures.js'

// x402 v1 names networks ("base-sepolia") instead of CAIP-2 ids, so this devnet runs as chain 84532.
let devnet: Devnet

beforeAll(async () => {
  devnet = await startDevnet({ chainId: 84532 })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('x402 v1 (402 JSON body, X-PAYMENT header)', () => {
  test('behavior: the client pays a v1 server with exact, and the gate accepts X-PAYMENT', async () => {
    const { usdc } = devnet.tokens
    const registry = createChainRegistry({
      assets: [
        {
          network: 'eip155:84532',
          address: usdc.address,
          symbol: 'USDC',
          name: 'USD Coin',
          decimals: 6,
          usdPegged: true,
          eip712: { name: usdc.name, version: usdc.version },
        },
      ],
    })
    const payTo = devnet.accounts[9]!.address
    const gate = createGate({
      logger: { warn: () => {} },
      routes: { 'GET /weather': { price: '$0.01', description: 'Weather' } },
      payTo,
      networks: [
        evmNetwork({
          network: 'eip155:84532',
          rpcUrl: devnet.rpcUrl,
          tx: false,
          assets: [usdc.address],
          exact: { settler: privateKeyToAccount(devnet.accounts[8]!.privateKey) },
        }),
      ],
      secret: SECRET,
      registry,
    })
    const seen: string[] = []
    // A v1 server: the gate decides, but the 402 goes out as v1's JSON body with maxAmountRequired.
    const server = await listen(async (incoming, outgoing) => {
      const url = `http://${incoming.headers.host}${incoming.url}`
      const headers = new Headers()
      for (const [name, value] of Object.entries(incoming.headers))
        if (typeof value === 'string') headers.set(name, value)
      seen.push(
        headers.has('x-payment')
          ? 'X-PAYMENT'
          : headers.has('payment-signature')
            ? 'PAYMENT-SIGNATURE'
            : 'none',
      )
      const response = await gate.handle(new Request(url, { headers }), () =>
        Response.json({ weather: 'sunny' }),
      )
      if (response.status === 402) {
        const v2 = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
        const body = {
          x402Version: 1,
          error: 'X-PAYMENT header is required',
          accepts: v2.accepts.map((entry) => ({
            scheme: entry.scheme,
            network: 'base-sepolia',
            maxAmountRequired: entry.amount,
            resource: url,
            description: 'Weather',
            mimeType: 'application/json',
            payTo: entry.payTo,
            maxTimeoutSeconds: entry.maxTimeoutSeconds,
            asset: entry.asset,
            extra: entry.extra,
          })),
        }
        outgoing.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify(body))
        return
      }
      const settle = response.headers.get('PAYMENT-RESPONSE')
      outgoing
        .writeHead(response.status, {
          'content-type': 'application/json',
          ...(settle ? { 'X-PAYMENT-RESPONSE': settle } : {}),
        })
        .end(await response.text())
    })
    try {
      const client = createClient({
        wallets: [
          evmWallet({
            account: privateKeyToAccount(devnet.accounts[1]!.privateKey),
            rpcUrls: { 'eip155:84532': devnet.rpcUrl },
          }),
        ],
        registry,
        policy: { budget: '$1' },
      })
      const before = await usdcBalance(devnet, payTo)
      const response = await client.fetch(`${server.url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ weather: 'sunny' })
      expect(seen).toEqual(['none', 'X-PAYMENT'])
      expect(client.paymentFor(response)).toMatchObject({
        scheme: 'exact',
        network: 'eip155:84532',
        amount: '10000',
      })
      expect((await usdcBalance(devnet, payTo)) - before).toBe(10_000n)
    } finally {
      await server.close()
    }
  })
})
