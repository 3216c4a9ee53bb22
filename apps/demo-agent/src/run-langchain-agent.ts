import type { BaseChatModel } from '@langchain/core/language_models/chat_models'
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages'
import { DynamicStructuredTool } from '@langchain/core/tools'
import type { Client, PaymentProblem } from '@tollgate/core'
import { createPaidTools, type PaidToolArtifact } from '@tollgate/langchain'
import { createAgent } from 'langchain'
import type { ModelChoice } from './choose-model.js'
import { createAgentClient } from './create-agent-client.js'
import { createPaidCallTracker, type PaidCall, type PaidCallOutcome } from './create-paid-call-tracker.js'
import type { Report } from './create-report.js'
import { createScriptedResearchModel, RESEARCH_TASK } from './create-scripted-research-model.js'
import { demoTools } from './demo-tools.js'
import { formatBudget, formatDollars } from './format-budget.js'
import { type DemoPayment, reportPaidCall } from './report-paid-call.js'
import { routeOf } from './route-of.js'
import type { DemoServices } from './start-demo-services.js'
import { shortenAddress } from './summarize-data.js'

/** Options of {@link runLangChainAgent}. */
export type RunLangChainAgentOptions = {
  services: DemoServices
  /** Where the agent's steps are printed. */
  report: Report
  /** The scripted model, or a real one. */
  model: ModelChoice
  /** Devnet account that pays. Default 1. */
  account?: number
  /** Budget. Default `"$1.50"`. */
  budget?: string
  /** Stops the run. */
  signal?: AbortSignal
}

/** What an agent run did. */
export type AgentRun = {
  /** The agent's Tollgate client (its budget, ledger and passes). */
  client: Client
  /** Every paid tool call, in the order they finished. */
  calls: PaidCall[]
  /** Payments the API accepted. */
  payments: DemoPayment[]
  /** The agent's final answer. */
  answer: string
  /** The whole conversation, as the framework keeps it. */
  messages: unknown[]
}

const APPROVE_ABOVE = '$0.50'
const OWNER_LIMIT = 1

const SYSTEM_PROMPT =
  'You are a research agent with a wallet. Paid tools cost money from your budget; each description says ' +
  'the most a call may cost. Do the task with as few paid calls as needed. When a tool answers with an ' +
  '"error" and a "hint", follow the hint. End with a short answer for the user that cites what the tools returned.'

/**
 * Runs the LangChain agent of the demo: `createAgent` from `langchain` v1 with the demo API's
 * routes as tools from `createPaidTools`, paying from devnet account 1 with x402 `exact`. It
 * searches once (paid), buys a 24-hour pass, searches three more times on the pass, publishes a
 * post and tries a contract that its budget cannot cover; a payment above $0.50 asks the owner's
 * `approve` callback. Each step is printed as it finishes.
 *
 * @example const run = await runLangChainAgent({ services, report, model: { provider: 'scripted' } })
 */
export async function runLangChainAgent(options: RunLangChainAgentOptions): Promise<AgentRun> {
  const { services, report } = options
  const account = options.account ?? 1
  const budget = options.budget ?? '$1.50'
  const definitions = demoTools(services.api.url)
  const calls: PaidCall[] = []
  const payments: DemoPayment[] = []
  let client: Client | undefined
  const tracker = createPaidCallTracker(async (call) => {
    calls.push(call)
    const budget = await (client as Client).spent()
    const payment = reportPaidCall(report, call, {
      payer: 'LangChain agent',
      route: routeOf(definitions, call.tool),
      budget,
      asset: services.asset,
    })
    if (payment !== undefined) payments.push(payment)
  })
  client = createAgentClient({
    services,
    account,
    budget,
    requireApprovalAbove: APPROVE_ABOVE,
    // The owner's own rule, asked by the policy for payments above the threshold.
    approve: (payment) => {
      const approved = payment.usd !== undefined && Number(payment.usd) <= OWNER_LIMIT
      tracker.noteApproval(
        `${formatDollars(payment.usd ?? payment.amountFormatted)} is above ${APPROVE_ABOVE}, so the policy asked the owner's approve() callback: ${approved ? 'approved' : 'declined'}`,
      )
      return approved
    },
    onEvent: tracker.onEvent,
  })
  const tools = createPaidTools({ client, tools: definitions }).map((inner) => {
    const run = inner.func as (input: unknown, ...rest: unknown[]) => Promise<[string, PaidToolArtifact]>
    // The same tool, observed: the tracker ties the client's events to this call.
    return new DynamicStructuredTool({
      name: inner.name,
      description: inner.description,
      schema: inner.schema,
      responseFormat: 'content_and_artifact',
      func: (input: unknown, runManager, config) =>
        tracker.track({ tool: inner.name, input }, () => run(input, runManager, config), outcomeOf),
    })
  })

  report.field('model', describeLangChainModel(options.model))
  report.field(
    'wallet',
    `${shortenAddress(services.devnet.accounts[account]!.address)} (devnet account ${account}), pays with x402 exact`,
  )
  report.field(
    'policy',
    `budget ${formatDollars(budget)}; payments above ${APPROVE_ABOVE} go to the owner's approve() callback (it approves up to ${formatDollars(String(OWNER_LIMIT))})`,
  )
  report.field('asked', `"${RESEARCH_TASK}"`)
  report.blank()

  const agent = createAgent({ model: await createModel(options.model), tools, systemPrompt: SYSTEM_PROMPT })
  const result = await agent.invoke(
    { messages: [new HumanMessage(RESEARCH_TASK)] },
    { recursionLimit: 40, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  )
  const messages = result.messages as BaseMessage[]
  const last = messages.filter((message) => AIMessage.isInstance(message)).at(-1)
  const answer = last?.text ?? ''
  report.blank()
  report.field('answer', answer)
  report.field('spent', formatBudget(await client.spent()))
  return { client, calls, payments, answer, messages }
}

function outcomeOf([content, artifact]: [string, PaidToolArtifact]): PaidCallOutcome {
  let parsed: unknown = content
  try {
    parsed = JSON.parse(content)
  } catch {
    // Plain text stays text.
  }
  return artifact.error === undefined
    ? { ok: true, data: parsed }
    : { ok: false, problem: parsed as PaymentProblem }
}

async function createModel(choice: ModelChoice): Promise<BaseChatModel> {
  switch (choice.provider) {
    case 'openai':
      // Two retries, as the AI SDK does: a demo should fail in seconds, not back off for a minute.
      return new (await import('@langchain/openai')).ChatOpenAI({ model: choice.model, maxRetries: 2 })
    case 'anthropic':
      return new (await import('@langchain/anthropic')).ChatAnthropic({ model: choice.model, maxRetries: 2 })
    default:
      return createScriptedResearchModel()
  }
}

function describeLangChainModel(choice: ModelChoice): string {
  switch (choice.provider) {
    case 'openai':
      return `ChatOpenAI ${choice.model} (@langchain/openai; OPENAI_API_KEY is set)`
    case 'anthropic':
      return `ChatAnthropic ${choice.model} (@langchain/anthropic; ANTHROPIC_API_KEY is set)`
    default:
      return 'scripted: fakeModel() from @langchain/core/testing (no API key set)'
  }
}
