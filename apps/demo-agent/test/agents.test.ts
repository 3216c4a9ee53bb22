import { AIMessage, ToolMessage } from '@langchain/core/messages'
import type { ModelMessage } from 'ai'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createReport } from '../src/create-report.js'
import { runAiSdkAgent } from '../src/run-ai-sdk-agent.js'
import { runLangChainAgent } from '../src/run-langchain-agent.js'
import { runMcpSession } from '../src/run-mcp-session.js'
import { type DemoServices, startDemoServices } from '../src/start-demo-services.js'

let services: DemoServices

beforeAll(async () => {
  services = await startDemoServices()
})
afterAll(async () => {
  await services?.stop()
})

const scripted = { provider: 'scripted' } as const
const HASH = /^0x[0-9a-f]{64}$/

/** A report that collects its text instead of printing it. */
function captureReport() {
  let text = ''
  return { report: createReport({ write: (chunk) => (text += chunk) }), text: () => text }
}

const addressOf = (account: number) => services.devnet.accounts[account]!.address as Address

/** Every payment's transaction really moved the amount, from the payer (tx) or the settler (exact). */
async function expectOnChain(
  payments: { transaction: string; scheme: string; amount: bigint }[],
  payer: Address,
): Promise<void> {
  for (const payment of payments) {
    expect(payment.transaction).toMatch(HASH)
    const receipt = await services.devnet.publicClient.getTransactionReceipt({
      hash: payment.transaction as `0x${string}`,
    })
    expect(receipt.status).toBe('success')
    expect(receipt.from.toLowerCase()).toBe(
      (payment.scheme === 'tx' ? payer : services.settler).toLowerCase(),
    )
  }
}

describe('the LangChain agent, with the scripted fakeModel', () => {
  test('default: discovers prices, pays with exact, uses a pass, and hears about the budget', async () => {
    const { report, text } = captureReport()
    const payer = addressOf(1)
    const [payeeBefore, payerBefore] = await Promise.all([
      services.balanceOf(services.payTo),
      services.balanceOf(payer),
    ])

    const run = await runLangChainAgent({ services, report, model: scripted })

    // The tool calls the model made, in order.
    expect(run.calls.map((call) => call.tool)).toEqual([
      'web_search',
      'buy_search_pass',
      'web_search',
      'web_search',
      'web_search',
      'publish_post',
      'issue_contract',
    ])
    // Paid: a search, the pass and the post, all x402 exact; the three later searches rode the pass.
    expect(run.payments.map((payment) => [payment.route, payment.scheme, payment.amount])).toEqual([
      ['GET /api/search', 'exact', 1_000n],
      ['POST /api/pass', 'exact', 1_000_000n],
      ['POST /api/post', 'exact', 300_000n],
    ])
    const covered = run.calls.filter((call) => call.events.some((event) => event.type === 'pass_used'))
    expect(covered.map((call) => call.number)).toEqual([3, 4, 5])
    await expectOnChain(run.payments, payer)
    expect((await services.balanceOf(services.payTo)) - payeeBefore).toBe(1_301_000n)
    expect(payerBefore - (await services.balanceOf(payer))).toBe(1_301_000n)
    expect(await run.client.spent()).toMatchObject({
      payments: 3,
      usd: { spent: '1.301', remaining: '0.199' },
    })

    // The $1 pass is above the $0.50 threshold: the owner's approve() callback was asked.
    expect(run.calls[1]?.approvals).toEqual([
      "$1.00 is above $0.50, so the policy asked the owner's approve() callback: approved",
    ])

    // The refused contract reached the model as a structured tool result, and its answer uses it.
    const toolMessages = (run.messages as unknown[]).filter((message) => ToolMessage.isInstance(message))
    const contract = toolMessages.find((message) => message.name === 'issue_contract')
    expect(JSON.parse(String(contract?.content))).toEqual({
      error: 'policy_budget_exceeded',
      message: 'Paying $1 would exceed the budget of $1.5: $0.199 remaining.',
      price: '$1',
      limit: '$1.5',
      remaining: '$0.199',
      hint: 'Budget exhausted: ask the user to raise it or stop calling paid tools.',
    })
    expect(run.messages.at(-1)).toBeInstanceOf(AIMessage)
    expect(run.answer).toContain('policy_budget_exceeded')
    expect(run.answer).toContain('4 searches: 1 paid, 3 covered by the 24-hour pass')
    const post = toolMessages.find((message) => message.name === 'publish_post')
    expect(run.answer).toContain(JSON.parse(String(post?.content)).id)

    // What it printed: a block per call, with the transaction of each payment.
    for (const payment of run.payments) expect(text()).toContain(`tx      ${payment.transaction}`)
    expect(text()).toContain('spent   $0.199 left of $1.50 (3 payments, $1.301 spent)')
  })
})

describe('the AI SDK agent, with the scripted MockLanguageModelV3', () => {
  test('default: pays with tx, goes through the SDK tool approval, and hears about the budget', async () => {
    const { report, text } = captureReport()
    const payer = addressOf(2)
    const payeeBefore = await services.balanceOf(services.payTo)

    const run = await runAiSdkAgent({ services, report, model: scripted })

    expect(run.calls.map((call) => call.tool)).toEqual([
      'web_search',
      'verify_identity',
      'publish_post',
      'issue_contract',
    ])
    // It prefers tx: each payment is a transfer from the agent's own account, then a proof.
    expect(run.payments.map((payment) => [payment.route, payment.scheme, payment.amount])).toEqual([
      ['GET /api/search', 'tx', 1_000n],
      ['POST /api/identity', 'tx', 600_000n],
      ['POST /api/post', 'tx', 300_000n],
    ])
    for (const call of run.calls.slice(0, 3)) {
      expect(call.events.map((event) => event.type)).toEqual([
        'payment_required',
        'quote',
        'reserved',
        'signed',
        'broadcast',
        'transfer_sent',
        'settled',
        'transfer_confirmed',
        'payment_accepted',
      ])
    }
    await expectOnChain(run.payments, payer)
    expect((await services.balanceOf(services.payTo)) - payeeBefore).toBe(901_000n)

    // The SDK stopped twice for the owner ($0.60 and $1.00 are above $0.50), and got approvals back.
    expect(run.approvals).toEqual([
      { tool: 'verify_identity', approved: true },
      { tool: 'issue_contract', approved: true },
    ])
    const messages = run.messages as ModelMessage[]
    type Part = { type: string; toolName?: string; approved?: boolean }
    const parts = messages.flatMap((message): Part[] =>
      Array.isArray(message.content) ? (message.content as Part[]) : [],
    )
    expect(parts.filter((part) => part.type === 'tool-approval-request')).toHaveLength(2)
    expect(parts.filter((part) => part.type === 'tool-approval-response')).toEqual([
      expect.objectContaining({ approved: true }),
      expect.objectContaining({ approved: true }),
    ])
    expect(run.calls[1]?.approvals).toEqual([
      "approved through the AI SDK's tool approval (tool-approval-response)",
    ])

    // Approved, but over budget: the model got the structured result, not an exception.
    const contract = parts.find((part) => part.type === 'tool-result' && part.toolName === 'issue_contract')
    expect(contract).toMatchObject({
      output: {
        type: 'json',
        value: {
          error: 'policy_budget_exceeded',
          remaining: '$0.599',
          hint: expect.stringContaining('Budget'),
        },
      },
    })
    expect(parts.some((part) => part.type === 'tool-error')).toBe(false)
    expect(run.answer).toContain('policy_budget_exceeded')
    expect(run.answer).toMatch(/identity is verified \(check idv_[0-9a-f]{16}/)
    expect(await run.client.spent()).toMatchObject({
      payments: 3,
      usd: { spent: '0.901', remaining: '0.599' },
    })
    expect(text().replace(/\s+/g, ' ')).toContain('the AI SDK paused the run with a tool-approval-request')
  })
})

describe('the MCP session', () => {
  test('default: lists tools, pays one search, declines the expensive one, reads budget and ledger', async () => {
    const { report, text } = captureReport()
    const payer = addressOf(3)
    const payerBefore = await services.balanceOf(payer)

    const run = await runMcpSession({ services, report })

    expect(run.tools).toEqual(
      expect.arrayContaining(['search', 'verify_identity', 'get_budget', 'list_payments']),
    )
    expect(run.payments).toEqual([expect.objectContaining({ route: 'GET /api/search', amount: 1_000n })])
    expect(run.questions).toEqual([
      `Pay up to $0.60 to ${new URL(services.api.url).host} for "verify_identity"?`,
    ])
    const identity = run.results.find((entry) => entry.tool === 'verify_identity')?.result
    expect(identity?.isError).toBe(true)
    // The problem's code: `error` as in core's PaymentProblem (older servers said `code`).
    const problem = identity?.structuredContent as { error?: string; code?: string } | undefined
    expect(problem?.error ?? problem?.code).toBe('policy_approval_declined')
    // Only the search was paid: the declined check moved nothing.
    expect(payerBefore - (await services.balanceOf(payer))).toBe(1_000n)
    expect(text()).toContain('user    declines')
    // The server is gone once the session ends.
    expect(() => process.kill(run.pid as number, 0)).toThrow()
  })
})
