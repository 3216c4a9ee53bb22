import { startDemoApi } from '@tollgate/demo-api'
import { clientFor, type Demo, startDemo, usdcBalance } from '@tollgate/test-support'
import { generateText, type ModelMessage, stepCountIs, type ToolSet } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { type PaidTool, type PaidToolOutput, paidTools } from '../src/index.js'

let demo: Demo

beforeAll(async () => {
  demo = await startDemo(startDemoApi)
})
afterAll(async () => {
  await demo?.stop()
})

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 10, text: 10, reasoning: undefined },
}

type CallOptions = Parameters<MockLanguageModelV3['doGenerate']>[0]
type GenerateResult = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>
type Step = (prompt: CallOptions['prompt']) => GenerateResult

/** A step in which the model calls tools. */
function callTools(...calls: { toolName: string; input: Record<string, unknown> }[]): Step {
  return () => ({
    content: calls.map((call, index) => ({
      type: 'tool-call' as const,
      toolCallId: `call_${call.toolName}_${index}_${Math.random().toString(36).slice(2, 8)}`,
      toolName: call.toolName,
      input: JSON.stringify(call.input),
    })),
    finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
    usage,
    warnings: [],
  })
}

/** A final step in which the model repeats what the last tool told it, as a real model would. */
const answer: Step = (prompt) => {
  const results = prompt.flatMap((message) =>
    message.role === 'tool' ? message.content.filter((part) => part.type === 'tool-result') : [],
  )
  const output = results.at(-1)?.output
  return {
    content: [{ type: 'text', text: `Done. The tool said: ${JSON.stringify(output).slice(0, 400)}` }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage,
    warnings: [],
  }
}

/** The AI SDK's own mock model, scripted step by step. */
function scriptedModel(...steps: Step[]) {
  let index = 0
  return new MockLanguageModelV3({
    doGenerate: async (options) => {
      const step = steps[index++]
      if (step === undefined) throw new Error(`no step ${index} scripted`)
      return step(options.prompt)
    },
  })
}

const searchTool = (): PaidTool => ({
  name: 'web_search',
  description: 'Web search: results for a query',
  endpoint: `${demo.api.url}/api/search`,
  params: { q: { type: 'string', description: 'The query' } },
  maxPrice: '$0.01',
})

const identityTool = (maxPrice?: string): PaidTool => ({
  name: 'identity_check',
  description: 'Checks an identity',
  endpoint: `${demo.api.url}/api/identity`,
  method: 'POST',
  params: { name: { type: 'string' }, country: { type: 'string' } },
  ...(maxPrice === undefined ? {} : { maxPrice }),
})

function toolOutputs(result: { steps: { toolResults: { output: unknown }[] }[] }): PaidToolOutput[] {
  return result.steps.flatMap((step) =>
    step.toolResults.map((toolResult) => toolResult.output as PaidToolOutput),
  )
}

describe('paidTools with generateText, against the demo API on anvil', () => {
  test('default: the model gets the data, the result carries the payment, the money moves on chain', async () => {
    const { client } = clientFor(demo.devnet, 0)
    const before = await usdcBalance(demo.devnet, demo.payTo)

    const result = await generateText({
      model: scriptedModel(callTools({ toolName: 'web_search', input: { q: 'x402 agents' } }), answer),
      tools: paidTools({ client, tools: [searchTool()] }),
      stopWhen: stepCountIs(5),
      prompt: 'Search the web for x402 agents.',
    })

    const [output] = toolOutputs(result)
    expect(output).toMatchObject({
      data: { query: 'x402 agents', results: expect.any(Array) },
      payment: {
        method: 'payment',
        amount: '0.001 USDC',
        network: demo.devnet.network,
        transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      },
    })
    const title = (output as { data: { results: { title: string }[] } }).data.results[0]?.title as string
    expect(result.text).toContain(title)
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(1000n)
    const hash = (output as { payment: { transaction: `0x${string}` } }).payment.transaction
    expect((await demo.devnet.publicClient.getTransactionReceipt({ hash })).status).toBe('success')
  })

  test('behavior: an exhausted budget is a structured result, never a throw, and the model answers', async () => {
    const { client } = clientFor(demo.devnet, 1, { budget: '$0.50' })
    const postTool: PaidTool = {
      name: 'publish_post',
      description: 'Publish a post',
      endpoint: `${demo.api.url}/api/post`,
      method: 'POST',
      params: { title: { type: 'string' }, body: { type: 'string' } },
    }
    const before = await usdcBalance(demo.devnet, demo.payTo)

    const result = await generateText({
      model: scriptedModel(
        callTools({ toolName: 'publish_post', input: { title: 'one', body: 'first' } }),
        callTools({ toolName: 'publish_post', input: { title: 'two', body: 'second' } }),
        answer,
      ),
      tools: paidTools({ client, tools: [postTool] }),
      stopWhen: stepCountIs(5),
      prompt: 'Publish two posts.',
    })

    const [first, second] = toolOutputs(result)
    expect(first).toMatchObject({
      data: { id: expect.stringMatching(/^post_/) },
      payment: { amount: '0.3 USDC' },
    })
    expect(second).toEqual({
      error: 'policy_budget_exceeded',
      message: 'Paying $0.3 would exceed the budget of $0.5: $0.2 remaining.',
      price: '$0.3',
      limit: '$0.5',
      remaining: '$0.2',
      hint: 'Budget exhausted: ask the user to raise it or stop calling paid tools.',
    })
    expect(result.steps.flatMap((step) => step.content).some((part) => part.type === 'tool-error')).toBe(
      false,
    )
    expect(result.text).toContain('Budget exhausted')
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(300_000n)
  })

  test('error: unknown parameters are refused before any request, and nothing moves on chain', async () => {
    const { client, requests } = clientFor(demo.devnet, 2)
    const payer = demo.devnet.accounts[2]?.address as `0x${string}`
    const before = await usdcBalance(demo.devnet, payer)

    const result = await generateText({
      model: scriptedModel(
        callTools({ toolName: 'web_search', input: { q: 'x', pay_extra: '100' } }),
        answer,
      ),
      tools: paidTools({ client, tools: [searchTool()] }),
      stopWhen: stepCountIs(5),
      prompt: 'Search.',
    })

    const errors = result.steps.flatMap((step) => step.content).filter((part) => part.type === 'tool-error')
    expect(errors).toHaveLength(1)
    expect(String((errors[0] as { error: unknown }).error)).toMatch(/pay_extra/)
    expect(requests).toEqual([])
    expect(await usdcBalance(demo.devnet, payer)).toBe(before)
    expect(result.text).toMatch(/^Done/)
  })
})

describe('approval: the SDK asks, the policy does not ask again', () => {
  // The policy wants approval above $0.50; its own callback would decline, so any payment that
  // goes through above $0.50 went through on the SDK's approval alone.
  const approvalPolicy = () => {
    const approve = vi.fn(() => false)
    return { approve, policy: { budget: '$10', requireApprovalAbove: '$0.50', approve } }
  }

  async function requestApproval(tools: ToolSet) {
    const prompt: ModelMessage[] = [{ role: 'user', content: 'Check the identity of Ada in the UK.' }]
    const first = await generateText({
      // The run stops at an approval request; without one the tool runs and the model answers.
      model: scriptedModel(
        callTools({ toolName: 'identity_check', input: { name: 'Ada', country: 'UK' } }),
        answer,
      ),
      tools,
      stopWhen: stepCountIs(5),
      messages: prompt,
    })
    const request = first.content.find((part) => part.type === 'tool-approval-request')
    return { first, request, messages: [...prompt, ...first.response.messages] }
  }

  test('behavior: maxPrice above the threshold produces a tool-approval-request and pays nothing yet', async () => {
    const { approve, policy } = approvalPolicy()
    const { client, requests } = clientFor(demo.devnet, 3, policy)

    const { first, request } = await requestApproval(paidTools({ client, tools: [identityTool('$0.60')] }))

    expect(request).toMatchObject({
      type: 'tool-approval-request',
      approvalId: expect.any(String),
      toolCall: { toolName: 'identity_check', input: { name: 'Ada', country: 'UK' } },
    })
    expect(first.toolResults).toEqual([])
    expect(requests).toEqual([])
    expect(approve).not.toHaveBeenCalled()
  })

  test('behavior: after the approval response the payment goes through without the policy callback', async () => {
    const { approve, policy } = approvalPolicy()
    const { client } = clientFor(demo.devnet, 4, policy)
    const tools = paidTools({ client, tools: [identityTool('$0.60')] })
    const { request, messages } = await requestApproval(tools)
    const before = await usdcBalance(demo.devnet, demo.payTo)

    const second = await generateText({
      model: scriptedModel(answer),
      tools,
      stopWhen: stepCountIs(5),
      messages: [
        ...messages,
        {
          role: 'tool',
          content: [
            { type: 'tool-approval-response', approvalId: request?.approvalId as string, approved: true },
          ],
        },
      ],
    })

    expect(approve).not.toHaveBeenCalled()
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(600_000n)
    expect(second.text).toContain('"payment":{"method":"payment","amount":"0.6 USDC"')
    expect(await client.spent()).toMatchObject({ payments: 1, usd: { spent: '0.6' } })
  })

  test('behavior: a denial pays nothing and the model hears it was denied', async () => {
    const { approve, policy } = approvalPolicy()
    const { client, requests } = clientFor(demo.devnet, 5, policy)
    const tools = paidTools({ client, tools: [identityTool('$0.60')] })
    const { request, messages } = await requestApproval(tools)
    const payer = demo.devnet.accounts[5]?.address as `0x${string}`
    const before = await usdcBalance(demo.devnet, payer)

    const second = await generateText({
      model: scriptedModel(answer),
      tools,
      stopWhen: stepCountIs(5),
      messages: [
        ...messages,
        {
          role: 'tool',
          content: [
            {
              type: 'tool-approval-response',
              approvalId: request?.approvalId as string,
              approved: false,
              reason: 'Too expensive.',
            },
          ],
        },
      ],
    })

    expect(second.text).toContain('execution-denied')
    expect(requests).toEqual([])
    expect(approve).not.toHaveBeenCalled()
    expect(await usdcBalance(demo.devnet, payer)).toBe(before)
  })

  test('behavior: without maxPrice the SDK never asks and the policy callback decides', async () => {
    const { approve, policy } = approvalPolicy()
    const { client } = clientFor(demo.devnet, 6, policy)
    const { first, request } = await requestApproval(paidTools({ client, tools: [identityTool()] }))

    expect(request).toBeUndefined()
    expect(approve).toHaveBeenCalledOnce()
    expect(toolOutputs(first)[0]).toMatchObject({
      error: 'policy_approval_declined',
      hint: 'The payment was not approved: do not retry it unless the user asks you to.',
    })
  })

  test('behavior: a maxPrice under the threshold needs no approval at all', async () => {
    const { approve, policy } = approvalPolicy()
    const { client } = clientFor(demo.devnet, 7, policy)

    const result = await generateText({
      model: scriptedModel(callTools({ toolName: 'web_search', input: { q: 'cheap' } }), answer),
      tools: paidTools({ client, tools: [searchTool()] }),
      stopWhen: stepCountIs(5),
      prompt: 'Search.',
    })

    expect(result.content.some((part) => part.type === 'tool-approval-request')).toBe(false)
    expect(toolOutputs(result)[0]).toMatchObject({ payment: { amount: '0.001 USDC' } })
    expect(approve).not.toHaveBeenCalled()
  })
})
