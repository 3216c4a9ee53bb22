import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, encodePaymentRequiredHeader, TollgateError, type Wallet } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { createFileLedger } from '@tollgate/core/node'
import { startDemoApi } from '@tollgate/demo-api'
import { tollgate } from '@tollgate/express'
import { transfersOnChain, usdcBalance, usdcRegistry, walletOf } from '@tollgate/test-support'
import express from 'express'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { listen, proxyTo, SECRET, startDemo } from '../src/fixtures.js'

let demo: Awaited<ReturnType<typeof startDemo>>
const payer = (index: number) => demo.devnet.accounts[index]!.address as Address

beforeAll(async () => {
  demo = await startDemo()
})
afterAll(async () => {
  await demo?.stop()
})

function clientFor(
  index: number,
  policy: Parameters<typeof createClient>[0]['policy'] = { budget: '$10' },
  extra = {},
) {
  return createClient({
    wallets: [walletOf(demo.devnet, index)],
    registry: usdcRegistry(demo.devnet),
    policy,
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    ...extra,
  })
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (TollgateError.is(error)) return error.code
    throw error
  }
  throw new Error('expected a TollgateError')
}

// Counts requests to a wallet's signing methods without changing what they do.
function counting(wallet: Wallet) {
  const calls = { sendTransfer: 0, signProof: 0, authorize: 0 }
  const counted: Wallet = {
    ...wallet,
    sendTransfer: (input) => {
      calls.sendTransfer++
      return wallet.sendTransfer!(input)
    },
    signProof: (input) => {
      calls.signProof++
      return wallet.signProof!(input)
    },
    authorize: (input) => {
      calls.authorize++
      return wallet.authorize!(input)
    },
  }
  return { wallet: counted, calls }
}

describe('the client against the demo API on anvil', () => {
  test('default: pays each demo route, and the money arrives on chain', async () => {
    const client = clientFor(0)
    const before = await usdcBalance(demo.devnet, demo.payTo)
    const calls: [string, RequestInit][] = [
      ['/api/search?q=agents', {}],
      [
        '/api/post',
        {
          method: 'POST',
          body: JSON.stringify({ title: 'hi', body: 'x' }),
          headers: { 'content-type': 'application/json' },
        },
      ],
      [
        '/api/identity',
        {
          method: 'POST',
          body: JSON.stringify({ name: 'Ada' }),
          headers: { 'content-type': 'application/json' },
        },
      ],
      [
        '/api/contract/issue',
        {
          method: 'POST',
          body: JSON.stringify({ party: 'Ada', terms: 'x' }),
          headers: { 'content-type': 'application/json' },
        },
      ],
    ]
    for (const [path, init] of calls) {
      const response = await client.fetch(`${demo.api.url}${path}`, init)
      expect(response.status, path).toBeLessThan(300)
      expect(client.paymentFor(response)).toMatchObject({
        method: 'payment',
        network: demo.devnet.network,
        symbol: 'USDC',
      })
    }
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(
      1_000n + 300_000n + 600_000n + 1_000_000n,
    )
    expect(await client.spent()).toMatchObject({ payments: 4, usd: { spent: '1.901', remaining: '8.099' } })
  })

  test('error: a differently-cased path that Express would serve is still priced', async () => {
    for (const path of ['/API/Search?q=x', '/api/SEARCH/?q=x', '/Api/Post']) {
      const response = await fetch(`${demo.api.url}${path}`, {
        method: path.includes('Post') ? 'POST' : 'GET',
      })
      expect(response.status, path).toBe(402)
    }
  })

  test('behavior: buys a pass once, then reuses it without paying', async () => {
    const client = clientFor(1)
    const bought = await client.fetch(`${demo.api.url}/api/pass`, { method: 'POST' })
    expect(bought.status).toBe(200)
    // Bought with x402 exact: the handler already had the pass to put in its body.
    expect(client.paymentFor(bought)).toMatchObject({ scheme: 'exact' })
    expect(((await bought.json()) as { pass?: { token?: string } }).pass?.token).toBe(
      client.passes()[0]?.token,
    )
    expect(client.passes()).toHaveLength(1)
    const balance = await usdcBalance(demo.devnet, payer(1))
    for (let index = 0; index < 5; index++) {
      expect((await client.fetch(`${demo.api.url}/api/search?q=${index}`)).status).toBe(200)
    }
    expect(await usdcBalance(demo.devnet, payer(1))).toBe(balance)
    expect((await client.spent()).payments).toBe(1)
  })

  test('behavior: 100 concurrent calls with a budget for 10 make at most 10 payments', async () => {
    const client = clientFor(2, { budget: '$0.01' })
    const before = await usdcBalance(demo.devnet, payer(2))
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, index) => client.fetch(`${demo.api.url}/api/search?q=${index}`)),
    )
    const ok = results.filter((result) => result.status === 'fulfilled' && result.value.status === 200)
    const refused = results.filter(
      (result) =>
        result.status === 'rejected' &&
        TollgateError.is(result.reason) &&
        result.reason.code === 'policy_budget_exceeded',
    )
    expect(ok.length).toBeLessThanOrEqual(10)
    expect(ok.length + refused.length).toBe(100)
    const spentOnChain = before - (await usdcBalance(demo.devnet, payer(2)))
    expect(spentOnChain).toBeLessThanOrEqual(10_000n)
    expect(spentOnChain).toBe(BigInt(ok.length) * 1_000n)
  })

  test('error: a redirect to a domain outside the allowlist is never paid', async () => {
    // The paid API listens on another loopback address, so its host name differs.
    const elsewhere = await startDemoApi({
      rpcUrl: demo.devnet.rpcUrl,
      network: demo.devnet.network,
      asset: { address: demo.devnet.tokens.usdc.address, decimals: 6, symbol: 'USDC', name: 'USD Coin' },
      payTo: demo.payTo,
      secret: SECRET,
      host: '127.0.0.2',
    })
    const redirector = await listen((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/api/search?q=redirected` }).end()
    })
    try {
      const { wallet, calls } = counting(walletOf(demo.devnet, 3))
      const client = createClient({
        wallets: [wallet],
        registry: usdcRegistry(demo.devnet),
        policy: { budget: '$1', allowedDomains: ['127.0.0.1'] },
      })
      expect(await codeOf(client.fetch(`${redirector.url}/go`))).toBe('policy_denied_domain')
      expect(calls).toEqual({ sendTransfer: 0, signProof: 0, authorize: 0 })
    } finally {
      await redirector.close()
      await elsewhere.close()
    }
  })

  test('error: a server that raises the price after the 402 gets no second payment', async () => {
    let price = '$0.01'
    const app = express()
    app.use(
      tollgate({
        logger: { warn: () => {} },
        routes: { 'GET /item': { price: () => price } },
        payTo: demo.payTo,
        networks: [evmNetwork({ network: demo.devnet.network, rpcUrl: demo.devnet.rpcUrl })],
        secret: SECRET,
        registry: usdcRegistry(demo.devnet),
      }),
    )
    app.get('/item', (_request, response) => {
      response.json({ item: true })
    })
    const server = await listen((request, response) => {
      // The price goes up as soon as a payment arrives.
      if (request.headers['payment-signature']) price = '$0.05'
      app(request, response)
    })
    try {
      const client = clientFor(4, { budget: '$1' }, { preferences: { schemes: ['tx'] } })
      const before = await transfersOnChain(demo.devnet, payer(4), demo.payTo)
      expect(await codeOf(client.fetch(`${server.url}/item`))).toBe('price_changed')
      const after = await transfersOnChain(demo.devnet, payer(4), demo.payTo)
      expect(after.length - before.length).toBe(1)
      expect(after.at(-1)).toBe(10_000n)
    } finally {
      await server.close()
    }
  })

  test('error: a server that switches payTo after the 402 gets no second payment', async () => {
    const makeApp = (payTo: string) => {
      const app = express()
      app.use(
        tollgate({
          logger: { warn: () => {} },
          routes: { 'GET /item': { price: '$0.01' } },
          payTo,
          networks: [evmNetwork({ network: demo.devnet.network, rpcUrl: demo.devnet.rpcUrl })],
          secret: SECRET,
          registry: usdcRegistry(demo.devnet),
        }),
      )
      app.get('/item', (_request, response) => {
        response.json({ item: true })
      })
      return app
    }
    const honest = makeApp(demo.payTo)
    const switched = makeApp(demo.devnet.accounts[8]!.address)
    const server = await listen((request, response) => {
      if (request.headers['payment-signature']) switched(request, response)
      else honest(request, response)
    })
    try {
      const client = clientFor(4, { budget: '$1' }, { preferences: { schemes: ['tx'] } })
      const before = await transfersOnChain(demo.devnet, payer(4), demo.devnet.accounts[8]!.address)
      expect(await codeOf(client.fetch(`${server.url}/item`))).toBe('pay_to_changed')
      expect(await transfersOnChain(demo.devnet, payer(4), demo.devnet.accounts[8]!.address)).toEqual(before)
    } finally {
      await server.close()
    }
  })

  test('behavior: a response lost after the transfer is retried with the same proof: one transfer on chain', async () => {
    let dropped = 0
    const proxy = await listen(
      proxyTo(demo.api.url, (request) => {
        if (request.headers['payment-signature'] && dropped < 1) {
          dropped++
          request.socket.destroy()
          return true
        }
        return false
      }),
    )
    try {
      const client = clientFor(5, { budget: '$1' }, { preferences: { schemes: ['tx'] } })
      const before = await transfersOnChain(demo.devnet, payer(5), demo.payTo)
      const response = await client.fetch(`${proxy.url}/api/search?q=lost`)
      expect(response.status).toBe(200)
      expect(dropped).toBe(1)
      expect((await transfersOnChain(demo.devnet, payer(5), demo.payTo)).length - before.length).toBe(1)
    } finally {
      await proxy.close()
    }
  })

  test('behavior: after a restart, a transfer whose response was lost is proven again, never paid twice', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'))
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }))
    const path = join(directory, 'ledger.jsonl')
    let dropping = true
    const proxy = await listen(
      proxyTo(demo.api.url, (request) => {
        if (request.headers['payment-signature'] && dropping) {
          request.socket.destroy()
          return true
        }
        return false
      }),
    )
    try {
      const before = await transfersOnChain(demo.devnet, payer(5), demo.payTo)
      const first = clientFor(
        5,
        { budget: '$1' },
        { ledger: createFileLedger({ path }), preferences: { schemes: ['tx'] } },
      )
      await expect(first.fetch(`${proxy.url}/api/search?q=restart`)).rejects.toThrow()
      dropping = false
      // A new process: same ledger file, fresh memory. The file is locked to one writer.
      await first.ledger.close?.()
      const second = clientFor(
        5,
        { budget: '$1' },
        { ledger: createFileLedger({ path }), preferences: { schemes: ['tx'] } },
      )
      expect((await second.fetch(`${proxy.url}/api/search?q=restart`)).status).toBe(200)
      expect((await transfersOnChain(demo.devnet, payer(5), demo.payTo)).length - before.length).toBe(1)
      // The second process confirms the same transfer again and proves it; it never broadcasts.
      expect((await second.ledger.records()).map((record) => record.type)).toEqual([
        'quote',
        'broadcast',
        'confirmed',
        'confirmed',
        'accepted',
      ])
    } finally {
      await proxy.close()
    }
  })

  test('behavior: a restart does not reset the budget', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'))
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }))
    const path = join(directory, 'ledger.jsonl')
    const policy = { budget: '$0.002' }
    const first = clientFor(8, policy, { ledger: createFileLedger({ path }) })
    expect((await first.fetch(`${demo.api.url}/api/search?q=1`)).status).toBe(200)
    expect((await first.fetch(`${demo.api.url}/api/search?q=2`)).status).toBe(200)
    await first.ledger.close?.()
    const second = clientFor(8, policy, { ledger: createFileLedger({ path }) })
    expect(await codeOf(second.fetch(`${demo.api.url}/api/search?q=3`))).toBe('policy_budget_exceeded')
    expect((await second.spent()).usd).toMatchObject({ spent: '0.002', remaining: '0' })
  })

  test('error: approval declined -> no signature', async () => {
    const { wallet, calls } = counting(walletOf(demo.devnet, 6))
    const approvals: string[] = []
    const client = createClient({
      wallets: [wallet],
      registry: usdcRegistry(demo.devnet),
      policy: {
        budget: '$10',
        requireApprovalAbove: '$0.50',
        approve: (request) => {
          approvals.push(request.amountFormatted)
          return false
        },
      },
    })
    const init = { method: 'POST', body: '{"name":"Ada"}', headers: { 'content-type': 'application/json' } }
    expect(await codeOf(client.fetch(`${demo.api.url}/api/identity`, init))).toBe('policy_approval_declined')
    expect(approvals).toEqual(['0.6'])
    expect(calls).toEqual({ sendTransfer: 0, signProof: 0, authorize: 0 })
    // Below the threshold no approval is asked and the payment goes through.
    expect((await client.fetch(`${demo.api.url}/api/search?q=cheap`)).status).toBe(200)
    expect(approvals).toEqual(['0.6'])
  })

  test('error: an expired wallet pays nothing', async () => {
    const { wallet, calls } = counting(walletOf(demo.devnet, 6))
    const client = createClient({
      wallets: [wallet],
      registry: usdcRegistry(demo.devnet),
      policy: { budget: '$10', expiresAt: Math.floor(Date.now() / 1000) - 1 },
    })
    expect(await codeOf(client.fetch(`${demo.api.url}/api/search?q=late`))).toBe('policy_wallet_expired')
    expect(calls).toEqual({ sendTransfer: 0, signProof: 0, authorize: 0 })
  })

  test('error: a server that keeps answering 402 after payment stops the loop at its bound', async () => {
    let requests = 0
    // Always 402 with the demo's real requirements: the client pays once, then gives up.
    const quote = await fetch(`${demo.api.url}/api/search?q=loop`)
    const header = quote.headers.get('payment-required')!
    const paymentRequired = JSON.parse(atob(header)) as { accepts: { scheme: string }[] }
    const txOnly = encodePaymentRequiredHeader({
      ...paymentRequired,
      accepts: paymentRequired.accepts.filter((entry) => entry.scheme === 'tx'),
    } as never)
    const server = await listen((_request, response) => {
      requests++
      response.writeHead(402, { 'payment-required': txOnly, 'content-type': 'application/json' }).end('{}')
    })
    try {
      const client = clientFor(7, { budget: '$1' })
      const before = await transfersOnChain(demo.devnet, payer(7), demo.payTo)
      expect(await codeOf(client.fetch(`${server.url}/api/search`))).toBe('payment_rejected')
      expect(requests).toBeLessThanOrEqual(3)
      expect((await transfersOnChain(demo.devnet, payer(7), demo.payTo)).length - before.length).toBe(1)
    } finally {
      await server.close()
    }
  })
})
