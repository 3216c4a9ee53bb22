import { startDemoApi } from '@tollgate/demo-api'
import { clientFor, type Demo, startDemo, usdcBalance } from '@tollgate/test-support'
import type { ToolSet } from 'ai-v7'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createPaidTools, type PaidTool, tollgateToolApproval } from '../src/index.js'

// AI SDK 7 only (`test:node22`, TOLLGATE_AI_SDK=7): v7's `toolApproval` option of generateText.
const onSeven = process.env.TOLLGATE_AI_SDK === '7'
let demo: Demo

beforeAll(async () => {
  if (onSeven) demo = await startDemo(startDemoApi)
})
afterAll(async () => {
  await demo?.stop()
})

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 10, text: 10, reasoning: undefined },
}

/** AI SDK 7's mock model: first it calls the identity tool, then it answers with the last tool result. */
async function scriptedModel() {
  const { MockLanguageModelV3 } = await import('ai-v7/test')
  let step = 0
  return new MockLanguageModelV3({
    doGenerate: async ({ prompt }) => {
      step++
      if (step === 1) {
        return {
          content: [
            {
              type: 'tool-call' as const,
              toolCallId: 'call_identity',
              toolName: 'identity_check',
              input: JSON.stringify({ name: 'Ada', country: 'UK' }),
            },
          ],
          finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
          usage,
          warnings: [],
        }
      }
      const results = prompt.flatMap((message) =>
        message.role === 'tool' ? message.content.filter((part) => part.type === 'tool-result') : [],
      )
      return {
        content: [{ type: 'text' as const, text: `Done: ${JSON.stringify(results.at(-1)?.output)}` }],
        finishReason: { unified: 'stop' as const, raw: 'stop' },
        usage,
        warnings: [],
      }
    },
  })
}

describe.runIf(onSeven)('AI SDK 7: tollgateToolApproval as generateText toolApproval', () => {
  test('behavior: the SDK asks before a payment above the threshold; approved, it pays once without the policy callback', async () => {
    const { generateText, stepCountIs } = await import('ai-v7')
    // The policy's own callback would decline: a payment above $0.50 goes through on the SDK's approval alone.
    const approve = vi.fn(() => false)
    const { client, requests } = clientFor(demo.devnet, 6, {
      budget: '$10',
      requireApprovalAbove: '$0.50',
      approve,
    })
    const identity: PaidTool = {
      name: 'identity_check',
      description: 'Checks an identity',
      endpoint: `${demo.api.url}/api/identity`,
      method: 'POST',
      params: { name: { type: 'string' }, country: { type: 'string' } },
      maxPrice: '$0.60',
    }
    const options = { client, tools: [identity] }
    // Without the tool-level `needsApproval` (v6's way), so only `toolApproval` can ask.
    const tools = Object.fromEntries(
      Object.entries(createPaidTools(options)).map(([name, tool]) => [
        name,
        { ...tool, needsApproval: undefined },
      ]),
    ) as unknown as ToolSet
    const toolApproval = tollgateToolApproval(options)
    const model = await scriptedModel()
    const messages = [{ role: 'user' as const, content: 'Check the identity of Ada in the UK.' }]

    const first = await generateText({ model, tools, toolApproval, stopWhen: stepCountIs(5), messages })
    const request = first.content.find((part) => part.type === 'tool-approval-request')
    expect(request).toMatchObject({ toolCall: { toolName: 'identity_check' } })
    expect(requests).toEqual([])

    const before = await usdcBalance(demo.devnet, demo.payTo)
    const second = await generateText({
      model,
      tools,
      toolApproval,
      stopWhen: stepCountIs(5),
      messages: [
        ...messages,
        ...first.response.messages,
        {
          role: 'tool',
          content: [{ type: 'tool-approval-response', approvalId: request!.approvalId, approved: true }],
        },
      ],
    })
    expect(approve).not.toHaveBeenCalled()
    expect((await usdcBalance(demo.devnet, demo.payTo)) - before).toBe(600_000n)
    expect(second.text).toContain('"amount":"600000"')
  })
})
