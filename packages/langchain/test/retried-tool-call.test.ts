import { type LossyPaidApi, lossyPayer, startLossyPaidApi, transfersOnChain } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createPaidTools, type PaidToolArtifact } from '../src/index.js'

// An agent's tool call whose paid answer is lost (the gate served and settled it, then the
// connection was cut, past the client's own resends) is called again by the agent with the same
// arguments: the second call resends the first payment and gets the kept answer. Money is read
// from the chain.
let devnet: Devnet
let api: LossyPaidApi | undefined

beforeAll(async () => {
  devnet = await startDevnet()
})
afterEach(async () => {
  await api?.close()
})
afterAll(async () => {
  await devnet?.stop()
})

describe('LangChain paid tools: a tool call retried after a lost answer', () => {
  for (const scheme of ['exact', 'tx'] as const) {
    test(`behavior (${scheme}): invoke again with the same arguments -> the kept answer, one transfer, one handler run`, async () => {
      api = await startLossyPaidApi(devnet, scheme)
      const { client, payer } = await lossyPayer(devnet, scheme)
      const [search] = createPaidTools({
        client,
        tools: [
          {
            name: 'web_search',
            description: 'Web search',
            endpoint: `${api.url}/api/search`,
            params: { q: { type: 'string', description: 'The query' } },
            maxPrice: '$0.01',
          },
        ],
      })
      api.losePaidAnswers(true)
      const call = { id: 'call-1', name: 'web_search', args: { q: 'tollgate' }, type: 'tool_call' as const }
      const lost = await search!.invoke(call)
      expect(JSON.parse(String(lost.content))).toMatchObject({ error: 'request_failed' })
      expect(api.lost()).toBe(2)
      api.losePaidAnswers(false)
      const again = await search!.invoke({ ...call, id: 'call-2' })
      const artifact = again.artifact as PaidToolArtifact
      expect(JSON.parse(String(again.content))).toEqual({ q: 'tollgate', run: 1 })
      expect(artifact).toMatchObject({ status: 200, payment: { amount: '10000' } })
      expect(api.runs()).toBe(1)
      // x402's payment-identifier: the same payload always went out with the same identifier; a
      // tx payment proven again is a new payload, with a new identifier.
      const [first, resent, retried] = api.paymentIds()
      expect(first).toMatch(/^pay_[0-9a-f]{32}$/)
      expect(resent).toBe(first)
      if (scheme === 'exact') expect(retried).toBe(first)
      else expect(retried).not.toBe(first)
      expect(await transfersOnChain(devnet, payer, api.payTo)).toEqual([10_000n])
      // The books equal the chain: one payment of 0.01, committed once.
      expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
      const records = await client.ledger.records()
      expect(records.filter((record) => record.type === 'accepted')).toHaveLength(1)
      // Another query is another request: it pays for itself, never takes the first answer.
      const other = await search!.invoke({ ...call, id: 'call-3', args: { q: 'other' } })
      expect(JSON.parse(String(other.content))).toEqual({ q: 'other', run: 2 })
      expect(await transfersOnChain(devnet, payer, api.payTo)).toEqual([10_000n, 10_000n])
      expect(await client.spent()).toMatchObject({ payments: 2, usd: { spent: '0.02' } })
    })
  }
})
