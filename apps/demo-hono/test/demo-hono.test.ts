import { decodePaymentRequiredHeader } from '@tollgate/core'
import { clientFor, transfersOnChain, usdcBalance } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { type RunningDemoHono, startDemoHono } from '../src/index.js'

let devnet: Devnet
const running: RunningDemoHono[] = []

beforeAll(async () => {
  devnet = await startDevnet()
})
afterEach(async () => {
  for (const api of running.splice(0)) await api.close()
})
afterAll(async () => {
  await devnet?.stop()
})

async function start(options: { settler?: boolean } = {}) {
  const { usdc } = devnet.tokens
  const payTo = privateKeyToAccount(generatePrivateKey()).address
  const api = await startDemoHono({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    asset: { ...usdc, eip712: { name: usdc.name, version: usdc.version } },
    payTo,
    secret: 'demo-hono-test-secret-demo-hono-test-secret',
    ...(options.settler ? { settler: privateKeyToAccount(devnet.accounts[8]!.privateKey) } : {}),
    logger: { warn: () => {} },
  })
  running.push(api)
  return { api, payTo }
}

describe('demo-hono', () => {
  test('behavior: an agent (createClient) pays a search with a tx proof; the money is on chain', async () => {
    const { api, payTo } = await start()
    const { client } = clientFor(devnet, 1)
    const response = await client.fetch(`${api.url}/api/search?q=x402`)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { query: string }).query).toBe('x402')
    expect(await transfersOnChain(devnet, devnet.accounts[1]!.address, payTo)).toEqual([1000n])
    expect(await usdcBalance(devnet, payTo)).toBe(1000n)
  })

  test('behavior: with a settler, the agent pays a contract with an exact authorization, settled on chain', async () => {
    const { api, payTo } = await start({ settler: true })
    const unpaid = await fetch(`${api.url}/api/contract/issue`, { method: 'POST' })
    const offers = decodePaymentRequiredHeader(unpaid.headers.get('payment-required')!).accepts
    expect(offers.map((offer) => offer.scheme).sort()).toEqual(['exact', 'tx'])
    const { client } = clientFor(devnet, 2)
    const response = await client.fetch(`${api.url}/api/contract/issue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parties: ['Acme', 'Globex'], terms: 'Delivery within 30 days.' }),
    })
    expect(response.status).toBe(201)
    expect(client.paymentFor(response)).toMatchObject({ scheme: 'exact' })
    expect(await transfersOnChain(devnet, devnet.accounts[2]!.address, payTo)).toEqual([1_000_000n])
  })

  test('error: a malformed JSON body is refused with 400 before any payment; free routes are free', async () => {
    const { api } = await start()
    const response = await fetch(`${api.url}/api/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    })
    expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
      400,
      'entity_parse_failed',
    ])
    expect(await (await fetch(`${api.url}/health`)).json()).toEqual({ ok: true })
    expect((await fetch(`${api.url}/nope`)).status).toBe(404)
  })
})
