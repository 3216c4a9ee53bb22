import { MockLanguageModelV3 } from 'ai/test'

/** What the onboarding agent is asked. */
export const ONBOARDING_TASK =
  'Onboard Ada Lovelace (country GB, passport GB1234567) as a new supplier: look her up, verify her ' +
  'identity, announce her on our feed, and issue the supply contract.'

type Prompt = Parameters<MockLanguageModelV3['doGenerate']>[0]['prompt']
type Step = (prompt: Prompt) => Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 0, text: 0, reasoning: undefined },
}

/**
 * The AI SDK agent's model when no real one is configured: the SDK's own `MockLanguageModelV3`,
 * scripted like a careful model would work through {@link ONBOARDING_TASK}, one tool call per
 * step. The announcement quotes the identity check, and the final answer reports what the tools
 * returned, including a refused payment and its hint.
 *
 * @example generateText({ model: createScriptedOnboardingModel(), tools, prompt: ONBOARDING_TASK })
 */
export function createScriptedOnboardingModel(): MockLanguageModelV3 {
  let calls = 0
  const callTool =
    (toolName: string, input: (results: ToolResults) => Record<string, unknown>): Step =>
    (prompt) => ({
      content: [
        {
          type: 'tool-call',
          toolCallId: `call_${++calls}`,
          toolName,
          input: JSON.stringify(input(resultsOf(prompt))),
        },
      ],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage,
      warnings: [],
    })
  const steps: Step[] = [
    callTool('web_search', () => ({ q: 'Ada Lovelace analytical engine programs supplier' })),
    callTool('verify_identity', () => ({ name: 'Ada Lovelace', country: 'GB', documentNumber: 'GB1234567' })),
    callTool('publish_post', (results) => {
      const identity = results.get('verify_identity') ?? {}
      return {
        title: 'Welcome, Ada Lovelace',
        body:
          `Ada Lovelace (GB) joins us as a supplier of analytical engine programs. ` +
          `Identity ${String(identity.status ?? 'checked')} (check ${String(identity.id ?? 'n/a')}, score ${String(identity.score ?? 'n/a')}).`,
      }
    }),
    callTool('issue_contract', () => ({
      title: 'Supply agreement',
      parties: ['Tollgate Demo Ltd', 'Ada Lovelace'],
      terms: 'Ada Lovelace supplies analytical engine programs every month; payment within 30 days.',
    })),
    (prompt) => ({
      content: [{ type: 'text', text: finalAnswer(resultsOf(prompt)) }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage,
      warnings: [],
    }),
  ]
  let index = 0
  return new MockLanguageModelV3({
    provider: 'scripted',
    modelId: 'onboarding-script',
    doGenerate: async (options) => {
      const step = steps[index++]
      if (step === undefined) throw new Error(`The scripted model has no step ${index}.`)
      return step(options.prompt)
    },
  })
}

type ToolResults = Map<string, Record<string, unknown>>

// The latest result of each tool, as the SDK puts it in the prompt (`{ data, payment }` or a problem).
function resultsOf(prompt: Prompt): ToolResults {
  const results: ToolResults = new Map()
  for (const message of prompt) {
    if (message.role !== 'tool') continue
    for (const part of message.content) {
      if (part.type !== 'tool-result' || part.output.type !== 'json') continue
      const value = (part.output.value ?? {}) as Record<string, unknown>
      const data = 'data' in value ? value.data : value
      results.set(
        part.toolName,
        (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>,
      )
    }
  }
  return results
}

// The answer a model would give: it cites the tool results, and follows the hint of a refusal.
function finalAnswer(results: ToolResults): string {
  const search = results.get('web_search')
  const top = (search?.results as { title?: unknown }[] | undefined)?.[0]?.title
  const identity = results.get('verify_identity')
  const post = results.get('publish_post')
  const contract = results.get('issue_contract')
  const parts: string[] = []
  if (top !== undefined) parts.push(`The search found "${String(top)}" first.`)
  if (identity?.status !== undefined) {
    parts.push(
      `Ada Lovelace's identity is ${String(identity.status)} (check ${String(identity.id)}, score ${String(identity.score)}).`,
    )
  }
  if (post?.id !== undefined) parts.push(`I announced her in post ${String(post.id)}.`)
  if (contract?.error !== undefined) {
    parts.push(
      `I could not issue the supply contract: issue_contract answered ${String(contract.error)} (${String(contract.message)}). ` +
        'My budget is exhausted, so I stopped calling paid tools; raise it and I will issue the contract.',
    )
  } else if (contract?.id !== undefined) {
    parts.push(`The supply contract is ${String(contract.id)}.`)
  }
  return parts.join(' ')
}
