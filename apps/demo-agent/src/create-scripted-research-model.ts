import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'

/** What the research agent is asked. */
export const RESEARCH_TASK =
  'Research how AI agents pay for APIs. Run one search first, then buy the 24-hour search pass and ' +
  'look into three angles: stablecoin settlement, HTTP 402 latency and payment receipts. Publish a ' +
  'short post with what you found, then draft a licensing contract for the post with Example Media.'

const ANGLES = ['stablecoin settlement for AI agents', 'HTTP 402 latency', 'payment receipts for agents']

/**
 * The LangChain agent's model when no real one is configured: LangChain's own `fakeModel()`,
 * scripted like a careful model would work through {@link RESEARCH_TASK}, one tool call per turn.
 * Later calls are built from earlier tool results (the post quotes the search results), and the
 * final answer reports what the tools returned, including a refused payment and its hint.
 *
 * @example createAgent({ model: createScriptedResearchModel(), tools })
 */
export function createScriptedResearchModel() {
  let calls = 0
  const callTool = (content: string, name: string, args: Record<string, unknown>) => () =>
    new AIMessage({ content, tool_calls: [{ id: `call_${++calls}`, name, args, type: 'tool_call' }] })
  return fakeModel()
    .respond(
      callTool('One search first, to see what is out there.', 'web_search', {
        q: 'how AI agents pay for APIs',
      }),
    )
    .respond(callTool('More searches ahead: a 24-hour pass covers them all.', 'buy_search_pass', {}))
    .respond(callTool('Covered by the pass now.', 'web_search', { q: ANGLES[0] }))
    .respond(callTool('Next angle.', 'web_search', { q: ANGLES[1] }))
    .respond(callTool('Last angle.', 'web_search', { q: ANGLES[2] }))
    .respond((messages) => {
      const findings = searchResults(messages).map((search) => `- ${search.query}: ${search.top}`)
      return callTool('Publishing what I found.', 'publish_post', {
        title: 'How AI agents pay for APIs',
        body: ['What a morning of paid research turned up:', ...findings].join('\n'),
      })()
    })
    .respond(
      callTool('Now the licensing contract.', 'issue_contract', {
        title: 'Content licensing agreement',
        parties: ['Tollgate Research Desk', 'Example Media'],
        terms: 'Example Media may republish the post "How AI agents pay for APIs" for 12 months.',
      }),
    )
    .respond((messages) => new AIMessage(finalAnswer(messages)))
}

type ToolOutput = { name: string; data: Record<string, unknown> }

function toolOutputs(messages: BaseMessage[]): ToolOutput[] {
  return messages.filter(ToolMessage.isInstance).map((message) => {
    let data: Record<string, unknown> = {}
    try {
      data = JSON.parse(String(message.content)) as Record<string, unknown>
    } catch {
      data = { text: String(message.content) }
    }
    return { name: message.name ?? '', data }
  })
}

function searchResults(messages: BaseMessage[]): { query: string; top: string }[] {
  return toolOutputs(messages)
    .filter((output) => output.name === 'web_search' && Array.isArray(output.data.results))
    .map((output) => ({
      query: String(output.data.query),
      top: String((output.data.results as { title?: unknown }[])[0]?.title ?? 'no results'),
    }))
}

// The answer a model would give: it cites the tool results, and follows the hint of a refusal.
function finalAnswer(messages: BaseMessage[]): string {
  const outputs = toolOutputs(messages)
  const searches = searchResults(messages)
  const post = outputs.find((output) => output.name === 'publish_post')?.data
  const contract = outputs.find((output) => output.name === 'issue_contract')?.data
  // Searches after the pass was bought were covered by it.
  const bought = outputs.findIndex(
    (output) => output.name === 'buy_search_pass' && output.data.error === undefined,
  )
  const covered =
    bought === -1 ? 0 : outputs.slice(bought).filter((output) => output.name === 'web_search').length
  const parts = [
    `I ran ${searches.length} searches: ${searches.length - covered} paid, ${covered} covered by the 24-hour pass I bought.`,
    `Top finds: ${searches.map((search) => `"${search.top}"`).join(', ')}.`,
  ]
  if (post?.id !== undefined) parts.push(`I published them as post ${String(post.id)}.`)
  else if (post?.error !== undefined) parts.push(`Publishing failed (${String(post.error)}).`)
  if (contract?.error !== undefined) {
    parts.push(
      `I could not draft the licensing contract with Example Media: the tool answered ${String(contract.error)} ` +
        `(${String(contract.message)}). As the hint says, I stopped calling paid tools; raise my budget if you want the contract.`,
    )
  } else if (contract?.id !== undefined) {
    parts.push(`The licensing contract is ${String(contract.id)}.`)
  }
  return parts.join(' ')
}
