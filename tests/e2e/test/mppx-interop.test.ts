import { createGate, decodePaymentResponseHeader, hasPaymentScheme } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { tollgate } from '@tollgate/express'
import { transfersOnChain, usdcRegistry } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import express from 'express'
import { Challenge, Credential, Receipt } from 'mppx'
import { Mppx } from 'mppx/client'
import { charge } from 'mppx/evm/client'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listen, SECRET } from '../src/fixtures.js'

let devnet: Devnet
let server: Awaited<ReturnType<typeof listen>>
let runs = 0

beforeAll(async () => {
  devnet = await startDevnet()
  const app = express()
  app.use(
    tollgate(
      createGate({
        logger: { warn: () => {} },
        routes: { 'GET /api/report': { price: '$0.01', description: 'Daily report' } },
        payTo: devnet.accounts[9]!.address,
        networks: [
          evmNetwork({
            network: devnet.network,
            rpcUrl: devnet.rpcUrl,
            assets: [devnet.tokens.usdc.address],
            tx: false,
            exact: { settler: privateKeyToAccount(devnet.accounts[8]!.privateKey) },
          }),
        ],
        secret: SECRET,
        registry: usdcRegistry(devnet),
      }),
    ),
  )
  app.get('/api/report', (_request, response) => {
    runs++
    response.json({ report: 'paid', run: runs })
  })
  server = await listen((request, response) => app(request, response))
})
afterAll(async () => {
  await server?.close()
  await devnet?.stop()
})

/** An mppx 0.11.0 client that signs EIP-3009 authorizations for the devnet's USDC. */
function mppxClient() {
  const account = privateKeyToAccount(generatePrivateKey())
  const sent: string[] = []
  const mppx = Mppx.create({
    polyfill: false,
    methods: [
      charge({
        account,
        // The native MPP request has no field for the token's EIP-712 domain: mppx takes it here.
        authorization: { name: devnet.tokens.usdc.name, version: devnet.tokens.usdc.version },
        networks: [devnet.chainId],
      }),
    ],
    fetch: async (input, init) => {
      const authorization = new Headers(init?.headers).get('Authorization')
      if (authorization !== null && hasPaymentScheme(authorization)) sent.push(authorization)
      return fetch(input, init)
    },
  })
  return { account, mppx, sent }
}

describe('interop with the mppx 0.11.0 client (MPP, EVM charge) through Express', () => {
  test('default: mppx reads the gate challenge as its own', async () => {
    const response = await fetch(`${server.url}/api/report`)
    expect(response.status).toBe(402)
    const [challenge, ...rest] = Challenge.fromResponseList(response)
    expect(rest).toEqual([])
    expect(challenge).toMatchObject({
      method: 'evm',
      intent: 'charge',
      realm: new URL(server.url).host,
      description: 'Daily report',
      request: {
        amount: '10000',
        currency: devnet.tokens.usdc.address,
        recipient: devnet.accounts[9]!.address,
        methodDetails: { chainId: devnet.chainId, credentialTypes: ['authorization'], decimals: 6 },
      },
    })
  })

  test('behavior: mppx pays a route once; its credential sent again gets the kept answer, one Transfer on chain', async () => {
    const { account, mppx, sent } = mppxClient()
    await devnet.mint('usdc', account.address, 1_000_000n)
    const payTo = devnet.accounts[9]!.address
    const before = runs

    const paid = await mppx.fetch(`${server.url}/api/report`)
    expect(paid.status).toBe(200)
    expect(await paid.json()).toEqual({ report: 'paid', run: before + 1 })
    // mppx chose MPP over the co-offered x402, and reads our receipt.
    expect(sent).toHaveLength(1)
    const credential = Credential.deserialize<{ type: string; from: string }>(sent[0]!)
    expect(credential.payload).toMatchObject({ type: 'authorization', from: account.address })
    const receipt = Receipt.fromResponse(paid)
    expect(receipt).toMatchObject({ method: 'evm', status: 'success' })
    const settled = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE')!)
    expect(receipt.reference).toBe(settled.transaction)
    const onChain = await devnet.publicClient.getTransactionReceipt({
      hash: settled.transaction as `0x${string}`,
    })
    expect(onChain.status).toBe('success')

    const again = await fetch(`${server.url}/api/report`, { headers: { Authorization: sent[0]! } })
    expect(again.status).toBe(200)
    expect(again.headers.get('Payment-Replay')).toBe('true')
    expect(await again.json()).toEqual({ report: 'paid', run: before + 1 })
    expect(Receipt.fromResponse(again).reference).toBe(settled.transaction)
    expect(runs).toBe(before + 1)
    expect(await transfersOnChain(devnet, account.address, payTo)).toHaveLength(1)

    // Paying the route again is a new challenge, so a new nonce: a second sale, not a replay.
    const second = await mppx.fetch(`${server.url}/api/report`)
    expect([second.status, second.headers.get('Payment-Replay')]).toEqual([200, null])
    expect(await second.json()).toEqual({ report: 'paid', run: before + 2 })
    expect(sent).toHaveLength(2)
    expect(await transfersOnChain(devnet, account.address, payTo)).toEqual([10_000n, 10_000n])
  })
})
