import { type PaidToolOutput, paidTools } from '@tollgate/ai-sdk'
import type { Client, PaymentProblem } from '@tollgate/core'
import {
  generateText,
  type LanguageModel,
  type ModelMessage,
  stepCountIs,
  type Tool,
  type ToolApprovalResponse,
  type ToolSet,
} from 'ai'
import type { ModelChoice } from './choose-model.js'
import { createAgentClient } from './create-agent-client.js'
import { createPaidCallTracker, type PaidCall, type PaidCallOutcome } from './create-paid-call-tracker.js'
import type { Report } from './create-report.js'
import { createScriptedOnboardingModel, ONBOARDING_TASK } from './create-scripted-onboarding-model.js'
import { demoTools } from './demo-tools.js'
import { formatBudget, formatDollars } from './format-budget.js'
import { type DemoPayment, reportPaidCall } from './report-paid-call.js'
import { routeOf } from './route-of.js'
import type { AgentRun } from './run-langchain-agent.js'
import type { DemoServices } from './start-demo-services.js'
import { shortenAddress } from './summarize-data.js'

/** Options of {@link runAiSdkAgent}. */
export type RunAiSdkAgentOptions = {
  services: DemoServices
  /** Where the agent's steps are printed. */
  report: Report
  /** The scripted model, or a real one. */
  model: ModelChoice
  /** Devnet account that pays. Default 2. */
  account?: number
  /** Budget. Default `"$1.50"`. */
  budget?: string
  /** Stops the run. */
  signal?: AbortSignal
}

/** What the AI SDK agent run did, with the owner's approval decisions. */
export type AiSdkAgentRun = AgentRun & {
  /** Tool calls the AI SDK stopped for, and what the owner answered. */
  approvals: { tool: string; approved: boolean }[]
}

const APPROVE_ABOVE = '$0.50'
const MAX_ROUNDS = 6

const SYSTEM_PROMPT =
  'You are an onboarding agent with a wallet. Paid tools cost money from your budget; each description says ' +
  'the most a call may cost. Call one tool at a time. When a tool answers with an "error" and a "hint", ' +
  'follow the hint. End with a short answer for the user that cites what the tools returned.'

/**
 * Runs the AI SDK agent of the demo: `generateText` from `ai` v6 with the demo API's routes as
 * tools from `paidTools`, paying from devnet account 2 by `tx` (a plain transfer, then a signed
 * proof). Tools that may cost more than $0.50 need the owner's approval through the SDK's own tool
 * approval (`needsApproval`): the run stops with a `tool-approval-request`, the demo plays the
 * owner and answers with a `tool-approval-response`, and the run goes on. The contract is approved
 * too, but the budget still refuses it: the model gets `policy_budget_exceeded` and its hint.
 *
 * @example const run = await runAiSdkAgent({ services, report, model: { provider: 'scripted' } })
 */
export async function runAiSdkAgent(options: RunAiSdkAgentOptions): Promise<AiSdkAgentRun> {
  const { services, report } = options
  const account = options.account ?? 2
  const budget = options.budget ?? '$1.50'
  const definitions = demoTools(services.api.url).filter(
    (definition) => definition.name !== 'buy_search_pass',
  )
  const calls: PaidCall[] = []
  const payments: DemoPayment[] = []
  const approvals: { tool: string; approved: boolean }[] = []
  const approvedCalls = new Set<string>()
  let client: Client | undefined
  const tracker = createPaidCallTracker(async (call) => {
    calls.push(call)
    const budget = await (client as Client).spent()
    const payment = reportPaidCall(report, call, {
      payer: 'AI SDK agent',
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
    // No approve callback: above the threshold, only the owner's answer in the SDK approves.
    schemes: ['tx', 'exact'],
    onEvent: tracker.onEvent,
  })
  const tools: ToolSet = {}
  for (const [name, inner] of Object.entries(paidTools({ client, tools: definitions }))) {
    const execute = inner.execute as NonNullable<Tool['execute']>
    // The same tool, observed: the tracker ties the client's events to this call.
    tools[name] = {
      ...inner,
      execute: (input, context) =>
        tracker.track(
          { tool: name, input },
          async () => {
            if (approvedCalls.has(context.toolCallId)) {
              tracker.noteApproval("approved through the AI SDK's tool approval (tool-approval-response)")
            }
            return (await execute(input, context)) as PaidToolOutput
          },
          outcomeOf,
        ),
    } as Tool
  }

  report.field('model', describeAiSdkModel(options.model))
  report.field(
    'wallet',
    `${shortenAddress(services.devnet.accounts[account]!.address)} (devnet account ${account}), prefers tx: a plain transfer, then a signed proof`,
  )
  report.field(
    'policy',
    `budget ${formatDollars(budget)}; tools that may cost more than ${APPROVE_ABOVE} wait for the owner's approval in the AI SDK (needsApproval)`,
  )
  report.field('asked', `"${ONBOARDING_TASK}"`)
  report.blank()

  const model = await createModel(options.model)
  const messages: ModelMessage[] = [{ role: 'user', content: ONBOARDING_TASK }]
  let answer = ''
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const result = await generateText({
      model,
      system: SYSTEM_PROMPT,
      tools,
      messages,
      stopWhen: stepCountIs(10),
      ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
    })
    messages.push(...result.response.messages)
    const requests = result.content.filter((part) => part.type === 'tool-approval-request')
    if (requests.length === 0) {
      answer = result.text
      break
    }
    // The run stopped for approval: the demo plays the owner, who reads the request and answers.
    const responses: ToolApprovalResponse[] = requests.map((request) => {
      const { toolName, toolCallId } = request.toolCall
      const ceiling = definitions.find((definition) => definition.name === toolName)?.maxPrice
      approvals.push({ tool: toolName, approved: true })
      approvedCalls.add(toolCallId)
      report.field(
        'owner',
        `${toolName} may cost up to ${String(ceiling)}, more than ${APPROVE_ABOVE}: the AI SDK paused the run with a tool-approval-request, and the owner approves it.`,
        2,
      )
      return { type: 'tool-approval-response', approvalId: request.approvalId, approved: true }
    })
    messages.push({ role: 'tool', content: responses })
    if (round === MAX_ROUNDS) answer = result.text
  }
  report.blank()
  report.field('answer', answer)
  report.field('spent', formatBudget(await client.spent()))
  return { client, calls, payments, answer, messages, approvals }
}

function outcomeOf(output: PaidToolOutput): PaidCallOutcome {
  return 'data' in output ? { ok: true, data: output.data } : { ok: false, problem: output as PaymentProblem }
}

async function createModel(choice: ModelChoice): Promise<LanguageModel> {
  switch (choice.provider) {
    case 'openai':
      return (await import('@ai-sdk/openai')).openai(choice.model)
    case 'anthropic':
      return (await import('@ai-sdk/anthropic')).anthropic(choice.model)
    default:
      return createScriptedOnboardingModel()
  }
}

function describeAiSdkModel(choice: ModelChoice): string {
  switch (choice.provider) {
    case 'openai':
      return `openai("${choice.model}") (@ai-sdk/openai; OPENAI_API_KEY is set)`
    case 'anthropic':
      return `anthropic("${choice.model}") (@ai-sdk/anthropic; ANTHROPIC_API_KEY is set)`
    default:
      return 'scripted: MockLanguageModelV3 from ai/test (no API key set)'
  }
}
