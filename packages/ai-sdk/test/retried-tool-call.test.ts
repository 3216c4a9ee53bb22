import { type LossyPaidApi, lossyPayer, startLossyPaidApi, transfersOnChain } from '@tollgate/test-support'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import type { ToolExecutionOptions } from 'ai'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createPaidTools, type PaidToolOutput } from '../src/index.js'

// An AI SDK tool call whose paid answer is lost (the gate served and settled it, then the
// connection was cut, past the client's own resends) is executed again with the same input: the
// second call resends the first payment and gets the kept answer. Money is read from the chain.
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

const options = (toolCallId: string): ToolExecutionOptions => ({ toolCallId, messages: [] })

describe('AI SDK paid tools: a tool call retried after a lost answer', () => {
  for (const scheme of ['exact', 'tx'] as const) {
    test(`behavior (${scheme}): execute again with the same input (a POST body) -> the kept answer, one transfer, one handler run`, async () => {
      api = await startLossyPaidApi(devnet, scheme)
      const { client, payer } = await lossyPayer(devnet, scheme)
      const tools = createPaidTools({
        client,
        tools: [
          {
            name: 'summarize',
            description: 'Summarize a text',
            endpoint: `${api.url}/api/summarize`,
            method: 'POST',
            params: { text: { type: 'string', description: 'The text' } },
          },
        ],
      })
      const execute = tools.summarize!.execute as (
        input: unknown,
        options: ToolExecutionOptions,
      ) => Promise<PaidToolOutput>
      api.losePaidAnswers(true)
      expect(await execute({ text: 'a long text' }, options('call-1'))).toMatchObject({
        error: 'request_failed',
      })
      expect(api.lost()).toBe(2)
      api.losePaidAnswers(false)
      const again = await execute({ text: 'a long text' }, options('call-2'))
      expect(again).toMatchObject({
        data: { text: '{"text":"a long text"}', run: 1 },
        payment: { method: 'payment', amount: '10000' },
      })
      expect(api.runs()).toBe(1)
      expect(await transfersOnChain(devnet, payer, api.payTo)).toEqual([10_000n])
      expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.01' } })
      // Another body is another request: it pays for itself, never takes the first answer.
      const other = await execute({ text: 'another text' }, options('call-3'))
      expect(other).toMatchObject({ data: { text: '{"text":"another text"}', run: 2 } })
      expect(await transfersOnChain(devnet, payer, api.payTo)).toEqual([10_000n, 10_000n])
      expect(await client.spent()).toMatchObject({ payments: 2, usd: { spent: '0.02' } })
    })
  }
})
