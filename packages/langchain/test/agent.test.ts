import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { startDemoApi } from '@tollgate/demo-api'
import { clientFor, type Demo, startDemo, usdcBalance } from '@tollgate/test-support'
import { createAgent } from 'langchain'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPaidTools, type PaidTool, type PaidToolArtifact, type PaidToolsClient } from '../src/index.js'

let demo: Demo

beforeAll(async () => {
  demo = await startDemo(startDemoApi)
})
afterAll(async () => {
  await demo?.stop()
})

const searchTool = (): PaidTool => ({
  name: 'web_search',
  description: 'Web search: results for a query',
  endpoint: `${demo.api.url}/api/search`,
  params: { q: { type: 'string', description: 'The query' } },
  maxPrice: '$0.01',
})

function toolMessages(messages: unknown[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message))
}

// The scripted model ends each run by repeating what the last tool told it, like a real model would.
function answerWithLastToolResult(messages: unknown[]): AIMessage {
  const last = toolMessages(messages).at(-1)
  return new AIMessage(`Done. The tool said: ${String(last?.content).slice(0, 400)}`)
}

function agentWith(
  client: PaidToolsClient,
  model: ReturnType<typeof fakeModel>,
  tools: PaidTool[] = [searchTool()],
) {
  return createAgent({ model, tools: createPaidTools({ client, tools }) })
}

describe('createPaidTools in a LangChain agent, against the demo API on anvil', () => {
  test('default: the agent gets the data and the artifact carries the on-chain payment', async () => {
    const { client } = clientFor(demo.devnet, 0)
    const model = fakeModel()
      .respondWithTools([{ name: 'web_search', args: { q: 'x402 agents' } }])
      .respond(answerWithLastToolResult)
    const before = await usdcBalance(demo.devnet, demo.payTo)

    const { messages } = await agentWith(client, model).invoke({
      messages: [new HumanMessage('Search the web for x402 agents.')],
    })

    const [result] = toolMessages(messages)
    const data = JSON.parse(String(result?.content))
    expect(data).toMatchObject({ query: 'x402 agents', results: expect.any(Array) })
    expect(data.results[0]).toMatchObject({ rank: 1, title: expect.any(String) })
    const artifact = result?.artifact as PaidToolArtifact
    expect(artifact).toMatchObject({
      status: 200,
      payment: {
        method: 'payment',
        scheme: 'tx',
        network: demo.devnet.network,
        amount: '1000',
        display: '0.001 USDC',
        transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      },
    })
    // The money really moved, in the transaction the artifact names.
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(1000n)
    const receipt = await demo.devnet.publicClient.getTransactionReceipt({
      hash: artifact.payment?.transaction as `0x${string}`,
    })
    expect(receipt.status).toBe('success')
    // The model saw the data and answered with it.
    expect(String(messages.at(-1)?.content)).toContain(data.results[0].title)
    expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.001' } })
  })

  test('behavior: an exhausted budget comes back as a structured result and the loop goes on', async () => {
    const { client } = clientFor(demo.devnet, 1, { budget: '$0.50' })
    const postTool: PaidTool = {
      name: 'publish_post',
      description: 'Publish a post',
      endpoint: `${demo.api.url}/api/post`,
      method: 'POST',
      params: { title: { type: 'string' }, body: { type: 'string' } },
    }
    const model = fakeModel()
      .respondWithTools([{ name: 'publish_post', args: { title: 'one', body: 'first' } }])
      .respondWithTools([{ name: 'publish_post', args: { title: 'two', body: 'second' } }])
      .respond(answerWithLastToolResult)
    const before = await usdcBalance(demo.devnet, demo.payTo)

    const { messages } = await agentWith(client, model, [postTool]).invoke({
      messages: [new HumanMessage('Publish two posts.')],
    })

    const [first, second] = toolMessages(messages)
    expect(JSON.parse(String(first?.content))).toMatchObject({ id: expect.stringMatching(/^post_/) })
    expect(first?.artifact).toMatchObject({ status: 201, payment: { display: '0.3 USDC' } })
    expect(JSON.parse(String(second?.content))).toEqual({
      error: 'policy_budget_exceeded',
      message: 'Paying $0.3 would exceed the budget of $0.5: $0.2 remaining.',
      price: '$0.3',
      limit: '$0.5',
      remaining: '$0.2',
      hint: 'Budget exhausted: ask the user to raise it or stop calling paid tools.',
    })
    expect(second?.artifact).toEqual({ payment: null, status: null, error: 'policy_budget_exceeded' })
    expect(second?.status).toBe('success')
    // The agent reached its final answer, with the hint in hand.
    expect(messages.at(-1)).toBeInstanceOf(AIMessage)
    expect(String(messages.at(-1)?.content)).toContain('Budget exhausted')
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(300_000n)
  })

  test("error: a price above the tool's maxPrice is refused before anything is paid", async () => {
    const { client } = clientFor(demo.devnet, 2)
    const model = fakeModel()
      .respondWithTools([{ name: 'web_search', args: { q: 'too expensive' } }])
      .respond(answerWithLastToolResult)
    const before = await usdcBalance(demo.devnet, demo.payTo)
    const cheapSearch = { ...searchTool(), maxPrice: '$0.0005' }
    const { messages } = await agentWith(client, model, [cheapSearch]).invoke({
      messages: [new HumanMessage('Search for something.')],
    })
    const [result] = toolMessages(messages)
    expect(JSON.parse(String(result?.content))).toMatchObject({
      error: 'price_above_limit',
      price: '0.001 USDC',
      limit: '$0.0005',
    })
    expect(await usdcBalance(demo.devnet, demo.payTo)).toBe(before)
  })

  test('behavior: path parameters are URL-encoded, so "AAPL/../search" stays one segment', async () => {
    const { client, requests } = clientFor(demo.devnet, 2)
    const routeTool: PaidTool = {
      name: 'api_route',
      description: 'Calls /api/{route}',
      endpoint: `${demo.api.url}/api/{route}`,
      params: { route: { type: 'string' }, q: { type: 'string' } },
    }
    const model = fakeModel()
      .respondWithTools([
        { name: 'api_route', args: { route: 'AAPL/../search', q: 'x' } },
        { name: 'api_route', args: { route: '..', q: 'x' } },
      ])
      .respond(answerWithLastToolResult)
    const before = await usdcBalance(demo.devnet, demo.payTo)

    const { messages } = await agentWith(client, model, [routeTool]).invoke({
      messages: [new HumanMessage('Call the route.')],
    })

    // Unencoded, the URL would resolve to the priced /api/search; encoded it is an unknown route.
    expect(requests).toEqual([`${demo.api.url}/api/AAPL%2F..%2Fsearch?q=x`])
    const [encoded, dots] = toolMessages(messages)
    expect(JSON.parse(String(encoded?.content))).toMatchObject({
      error: 'http_404',
      status: 404,
      body: { error: 'not_found' },
    })
    expect(encoded?.artifact).toEqual({ payment: null, status: 404, error: 'http_404' })
    expect(JSON.parse(String(dots?.content))).toMatchObject({
      error: 'invalid_parameters',
      issues: ['route: must not be empty, "." or ".."'],
    })
    expect(await usdcBalance(demo.devnet, demo.payTo)).toBe(before)
  })

  test('error: unknown parameters are refused before any request, and nothing moves on chain', async () => {
    const { client, requests } = clientFor(demo.devnet, 3)
    const model = fakeModel()
      .respondWithTools([{ name: 'web_search', args: { q: 'x402', pay_extra: '100' } }])
      .respond(answerWithLastToolResult)
    const payer = demo.devnet.accounts[3]?.address as `0x${string}`
    const before = await usdcBalance(demo.devnet, payer)

    const { messages } = await agentWith(client, model).invoke({
      messages: [new HumanMessage('Search.')],
    })

    const [refused] = toolMessages(messages)
    expect(refused?.status).toBe('error')
    expect(String(refused?.content)).toMatch(/pay_extra/)
    expect(requests).toEqual([])
    expect(await usdcBalance(demo.devnet, payer)).toBe(before)
    expect((await client.spent()).payments).toBe(0)
    expect(messages.at(-1)).toBeInstanceOf(AIMessage)
  })

  test('error: called directly, a tool still refuses unknown parameters without a request', async () => {
    const { client, requests } = clientFor(demo.devnet, 3)
    const [search] = createPaidTools({ client, tools: [searchTool()] })
    await expect(search?.invoke({ q: 'x', limit: 3 })).rejects.toThrow(/limit/)
    expect(requests).toEqual([])
  })
})

const openAiKey = process.env.OPENAI_API_KEY
const anthropicKey = process.env.ANTHROPIC_API_KEY

describe.runIf(openAiKey !== undefined || anthropicKey !== undefined)('with a real model', () => {
  test('default: the model calls the paid tool and answers from its data', { timeout: 120_000 }, async () => {
    const model =
      openAiKey !== undefined
        ? new (await import('@langchain/openai')).ChatOpenAI({
            model: process.env.OPENAI_MODEL ?? 'gpt-4.1-mini',
          })
        : new (await import('@langchain/anthropic')).ChatAnthropic({
            model: process.env.ANTHROPIC_MODEL ?? 'claude-haiku-4-5',
          })
    const { client } = clientFor(demo.devnet, 4)
    const before = await usdcBalance(demo.devnet, demo.payTo)
    const agent = createAgent({ model, tools: createPaidTools({ client, tools: [searchTool()] }) })

    const { messages } = await agent.invoke({
      messages: [
        new HumanMessage('Use web_search once to search for "x402 payments" and tell me the first title.'),
      ],
    })

    const [result] = toolMessages(messages)
    expect((result?.artifact as PaidToolArtifact | undefined)?.payment).toMatchObject({
      display: '0.001 USDC',
    })
    const title = JSON.parse(String(result?.content)).results[0].title as string
    expect(String(messages.at(-1)?.content)).toContain(title.split(' ')[0])
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBeGreaterThanOrEqual(1000n)
  })
})
