import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '@tollgate/core'
import { createEvmExactScheme, createFacilitator } from '@tollgate/core/evm'
import { usdcBalance, usdcRegistry, walletOf } from '@tollgate/test-support'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { x402Facilitator } from '@x402/core/facilitator'
import { HTTPFacilitatorClient } from '@x402/core/server'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server'
import { paymentMiddleware, x402ResourceServer } from '@x402/express'
import { decodePaymentResponseHeader, wrapFetchWithPayment } from '@x402/fetch'
import express from 'express'
import { publicActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen, startDemo } from '../src/fixtures.js'

let demo: Awaited<ReturnType<typeof startDemo>>

beforeAll(async () => {
  demo = await startDemo()
})
afterAll(async () => {
  await demo?.stop()
})

/** The official x402 client, paying from devnet account `index`. */
function officialFetch(index: number) {
  const account = privateKeyToAccount(demo.devnet.accounts[index]!.privateKey)
  const client = new x402Client().register('eip155:*', new ExactEvmClientScheme(account)).setSpendControls({
    allowedAssets: [
      {
        network: demo.devnet.network,
        asset: demo.devnet.tokens.usdc.address,
        maxAmountPerPayment: '1000000',
      },
    ],
  })
  return { fetch: wrapFetchWithPayment(fetch, client), http: new x402HTTPClient(client) }
}

/** An @x402/express server selling GET /weather for 0.01 USDC, using `facilitator`. */
async function officialServer(facilitator: ConstructorParameters<typeof x402ResourceServer>[0]) {
  const { usdc } = demo.devnet.tokens
  const app = express()
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: demo.devnet.network,
            payTo: demo.payTo,
            price: {
              amount: '10000',
              asset: usdc.address,
              extra: { name: usdc.name, version: usdc.version },
            },
            maxTimeoutSeconds: 60,
          },
          description: 'Weather',
          mimeType: 'application/json',
        },
      },
      new x402ResourceServer(facilitator).register(demo.devnet.network, new ExactEvmServerScheme()),
    ),
  )
  app.get('/weather', (_request, response) => {
    response.json({ weather: 'sunny' })
  })
  return listen((request, response) => app(request, response))
}

describe('interop with the official x402 packages on one anvil', () => {
  test('1. @x402/fetch pays a demo API route; PAYMENT-RESPONSE decodes with the official decoder', async () => {
    const { fetch: pay } = officialFetch(0)
    const before = await usdcBalance(demo.devnet, demo.payTo)
    const response = await pay(`${demo.api.url}/api/search?q=interop`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ query: 'interop' })
    const settle = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settle).toMatchObject({
      success: true,
      network: demo.devnet.network,
      payer: demo.devnet.accounts[0]!.address,
    })
    expect(settle.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(1000n)
  })

  test('2. our client pays an @x402/express server whose facilitator is @x402/core + @x402/evm', async () => {
    const settler = demo.devnet.walletClient(7).extend(publicActions)
    const signer = toFacilitatorEvmSigner({
      address: settler.account!.address,
      readContract: (args) => settler.readContract(args as never),
      verifyTypedData: (args) => settler.verifyTypedData(args as never),
      writeContract: (args) =>
        settler.writeContract({
          ...(args as Parameters<typeof settler.writeContract>[0]),
          chain: demo.devnet.chain,
          account: settler.account!,
        }),
      sendTransaction: (args) =>
        settler.sendTransaction({ ...args, chain: demo.devnet.chain, account: settler.account! }),
      waitForTransactionReceipt: (args) =>
        settler.waitForTransactionReceipt({ ...args, pollingInterval: 50 }),
      getCode: (args) => settler.getCode(args),
    })
    const facilitator = new x402Facilitator().register(
      demo.devnet.network,
      new ExactEvmFacilitatorScheme(signer),
    )
    const server = await officialServer(facilitator as never)
    try {
      const client = createClient({
        wallets: [walletOf(demo.devnet, 1)],
        registry: usdcRegistry(demo.devnet),
        policy: { budget: '$1' },
      })
      const before = await usdcBalance(demo.devnet, demo.payTo)
      const response = await client.fetch(`${server.url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ weather: 'sunny' })
      expect(client.paymentFor(response)).toMatchObject({ scheme: 'exact', amount: '10000' })
      expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(10_000n)
      expect((await client.spent()).usd).toMatchObject({ spent: '0.01' })
    } finally {
      await server.close()
    }
  })

  test('3. @x402/express accepts our facilitator endpoint; both clients pay through it', async () => {
    const scheme = createEvmExactScheme({
      rpcUrl: demo.devnet.rpcUrl,
      chainId: demo.devnet.chainId,
      settler: privateKeyToAccount(demo.devnet.accounts[6]!.privateKey),
    })
    const facilitator = createFacilitator({
      schemes: { [demo.devnet.network]: scheme },
      registry: usdcRegistry(demo.devnet),
    })
    const facilitatorServer = createServer(async (incoming, outgoing) => {
      const chunks: Buffer[] = []
      for await (const chunk of incoming) chunks.push(chunk as Buffer)
      const response = await facilitator.fetch(
        new Request(`http://127.0.0.1${incoming.url}`, {
          method: incoming.method ?? 'GET',
          headers: { 'content-type': 'application/json' },
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        }),
      )
      outgoing.writeHead(response.status, Object.fromEntries(response.headers))
      outgoing.end(Buffer.from(await response.arrayBuffer()))
    })
    await new Promise<void>((resolve) => facilitatorServer.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(facilitatorServer.address() as AddressInfo).port}`
    const server = await officialServer(new HTTPFacilitatorClient({ url }))
    try {
      const before = await usdcBalance(demo.devnet, demo.payTo)
      const { fetch: pay, http } = officialFetch(2)
      const official = await pay(`${server.url}/weather`)
      expect(official.status).toBe(200)
      expect(http.getPaymentSettleResponse((name) => official.headers.get(name))).toMatchObject({
        success: true,
      })
      const client = createClient({
        wallets: [walletOf(demo.devnet, 3)],
        registry: usdcRegistry(demo.devnet),
        policy: { budget: '$1' },
      })
      expect((await client.fetch(`${server.url}/weather`)).status).toBe(200)
      expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(20_000n)
    } finally {
      await server.close()
      facilitatorServer.closeAllConnections()
      await new Promise((resolve) => facilitatorServer.close(resolve))
    }
  })
})
