import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { type LossyPaidApi, lossyPayer, startLossyPaidApi, transfersOnChain } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createPaidMcpServer } from '../src/create-paid-mcp-server.js'
import { connectOverHttp } from './support/connect-over-http.js'

// The official MCP SDK client calls a createPaidMcpServer tool whose paid answer is lost (the
// gate served and settled it, then the connection was cut, past the client's own resends); the
// agent calls the tool again with the same arguments: the second call resends the first payment
// and gets the kept answer. Money is read from the chain.
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

describe('createPaidMcpServer: a tool call retried after a lost answer', () => {
  for (const scheme of ['exact', 'tx'] as const) {
    test(`behavior (${scheme}): tools/call again with the same arguments -> the kept answer, one transfer, one handler run`, async () => {
      api = await startLossyPaidApi(devnet, scheme)
      const { client, payer } = await lossyPayer(devnet, scheme)
      const served = await connectOverHttp(() =>
        createPaidMcpServer({
          client,
          tools: [
            {
              name: 'web_search',
              description: 'Web search',
              endpoint: `${(api as LossyPaidApi).url}/api/search`,
              params: { q: { type: 'string', description: 'The query' } },
              maxPrice: '$0.01',
            },
          ],
        }),
      )
      const call = async (q: string) =>
        (await served.client.callTool({ name: 'web_search', arguments: { q } })) as CallToolResult
      try {
        api.losePaidAnswers(true)
        const lost = await call('tollgate')
        expect(lost.isError).toBe(true)
        expect(lost.structuredContent).toMatchObject({ error: 'request_failed' })
        expect(api.lost()).toBe(2)
        api.losePaidAnswers(false)
        const again = await call('tollgate')
        expect(again.isError).toBeUndefined()
        expect(again.structuredContent).toEqual({ q: 'tollgate', run: 1 })
        expect(again._meta?.['tollgate/payment']).toMatchObject({ amount: '10000', display: '0.01 USDC' })
        expect(api.runs()).toBe(1)
        expect(await transfersOnChain(devnet, payer, api.payTo)).toEqual([10_000n])
        expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
        // Other arguments are another request: paid for on their own, never answered with the first.
        const other = await call('other')
        expect(other.structuredContent).toEqual({ q: 'other', run: 2 })
        expect(await transfersOnChain(devnet, payer, api.payTo)).toEqual([10_000n, 10_000n])
        expect(await client.spent()).toMatchObject({ payments: 2, usd: { spent: '0.02' } })
      } finally {
        await served.close()
      }
    })
  }
})
