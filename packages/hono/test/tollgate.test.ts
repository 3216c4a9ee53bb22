import { decodePaymentResponseHeader, type PaymentReceipt } from '@tollgate/core'
import { evmNetwork } from '@tollgate/core/evm'
import { exactHeader, payWithTx, usdcBalance } from '@tollgate/test-support'
import { Hono } from 'hono'
import { erc20Abi, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { type TollgateEnv, tollgate } from '../src/index.js'
import { useDevnetBed } from './support/devnet-bed.js'

const SECRET = 'hono-secret-hono-secret-hono-secret-0001'
const { devnet: devnetOf, gateOptions, listen, requirementsOf } = useDevnetBed(SECRET)

describe('tollgate (hono)', () => {
  test('behavior: paid -> 200 with PAYMENT-RESPONSE and the receipt in c.get("tollgate"); free routes get none', async () => {
    const receipts: (PaymentReceipt | undefined)[] = []
    const app = new Hono<TollgateEnv>()
    app.use(tollgate(gateOptions()))
    app.get('/health', (c) => {
      receipts.push(c.get('tollgate'))
      return c.json({ ok: true })
    })
    // A mounted sub-app: the gate prices the full path Hono routes.
    const api = new Hono<TollgateEnv>()
    api.get('/search', (c) => {
      receipts.push(c.get('tollgate'))
      return c.json({ results: ['one'] })
    })
    app.route('/api', api)
    const url = await listen(app)
    const free = await fetch(`${url}/health`)
    expect([free.status, free.headers.get('payment-response')]).toEqual([200, null])
    const requirements = await requirementsOf(`${url}/api/search?q=hono`)
    const header = await payWithTx(devnetOf(), requirements, 2)
    const paid = await fetch(`${url}/api/search?q=hono`, { headers: { 'PAYMENT-SIGNATURE': header } })
    expect([paid.status, await paid.json()]).toEqual([200, { results: ['one'] }])
    const settlement = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({ success: true, payer: devnetOf().accounts[2]!.address })
    expect(receipts).toEqual([
      undefined,
      expect.objectContaining({ method: 'payment', route: 'GET /api/search', scheme: 'tx', amount: '1000' }),
    ])
  })

  test('behavior: headers an outer middleware set before the gate stay on the 402', async () => {
    const app = new Hono<TollgateEnv>()
    app.use(async (c, next) => {
      c.header('access-control-allow-origin', '*')
      await next()
    })
    app.use(tollgate(gateOptions()))
    app.get('/api/search', (c) => c.json({ results: [] }))
    const url = await listen(app)
    const response = await fetch(`${url}/api/search`)
    expect([response.status, response.headers.get('access-control-allow-origin')]).toEqual([402, '*'])
    expect(response.headers.get('payment-required')).not.toBeNull()
  })

  test('behavior: the per-IP rate limit sees what clientIp returns', async () => {
    const app = new Hono<TollgateEnv>()
    const rateLimit = { perIp: { capacity: 1, refillPerSecond: 0.001 } }
    app.use(tollgate(gateOptions({ rateLimit }), { clientIp: (c) => c.req.header('x-test-client') }))
    app.get('/api/search', (c) => c.json({ results: [] }))
    const url = await listen(app)
    const from = (client: string) => fetch(`${url}/api/search`, { headers: { 'x-test-client': client } })
    expect((await from('a')).status).toBe(402)
    expect((await from('a')).status).toBe(429)
    expect((await from('b')).status).toBe(402)
  })

  test('behavior: an exact settlement that fails after the handler -> the gate answer, without the handler headers; nothing charged', async () => {
    const settler = privateKeyToAccount(generatePrivateKey())
    const payer = privateKeyToAccount(generatePrivateKey())
    await devnetOf().testClient.setBalance({ address: settler.address, value: parseEther('10') })
    await devnetOf().testClient.setBalance({ address: payer.address, value: parseEther('10') })
    await devnetOf().mint('usdc', payer.address, 10_000n)
    const merchant = privateKeyToAccount(generatePrivateKey()).address
    const network = evmNetwork({
      network: devnetOf().network,
      rpcUrl: devnetOf().rpcUrl,
      tx: false,
      exact: { settler },
    })
    let runs = 0
    const app = new Hono<TollgateEnv>()
    app.use(
      tollgate(
        gateOptions({
          payTo: merchant,
          networks: [network],
          routes: { 'GET /api/report': { price: '$0.01' } },
        }),
      ),
    )
    app.get('/api/report', async (c) => {
      runs++
      // The payer empties its balance while the handler runs: the authorization can no longer settle.
      const wallet = devnetOf().walletClient(0)
      const hash = await wallet.writeContract({
        address: devnetOf().tokens.usdc.address,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [devnetOf().accounts[0]!.address, 10_000n],
        account: payer,
        chain: devnetOf().chain,
      })
      await devnetOf().publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
      c.header('set-cookie', 'session=paid-only')
      return c.json({ report: 'paid' })
    })
    const url = await listen(app)
    const requirements = await requirementsOf(`${url}/api/report`)
    const header = await exactHeader(devnetOf(), payer, requirements)
    const response = await fetch(`${url}/api/report`, { headers: { 'PAYMENT-SIGNATURE': header } })
    const body = (await response.json()) as { error?: string; report?: string }
    expect(response.status).not.toBe(200)
    expect(body.report).toBeUndefined()
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(runs).toBe(1)
    expect(await usdcBalance(devnetOf(), merchant)).toBe(0n)
  })
})
