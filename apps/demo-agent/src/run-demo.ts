import { formatAmount } from '@tollgate/core'
import { chooseModel, describeModel } from './choose-model.js'
import { type Cleanup, createCleanup } from './create-cleanup.js'
import { createReport } from './create-report.js'
import { demoTools } from './demo-tools.js'
import { discoverPrices } from './discover-prices.js'
import { formatDollars } from './format-budget.js'
import type { DemoPayment } from './report-paid-call.js'
import { type AiSdkAgentRun, runAiSdkAgent } from './run-ai-sdk-agent.js'
import { type AgentRun, runLangChainAgent } from './run-langchain-agent.js'
import { type McpSessionRun, runMcpSession } from './run-mcp-session.js'
import { startDemoServices } from './start-demo-services.js'
import { shortenAddress } from './summarize-data.js'

/** Options of {@link runDemo}. */
export type RunDemoOptions = {
  /** Where the demo's report goes. */
  write: (text: string) => void
  /** Bold headings and dim notes, for a terminal. Default `false`. */
  color?: boolean
  /** Where API keys and model names are read from. Default `process.env`. */
  environment?: Readonly<Record<string, string | undefined>>
  /** Use the scripted models even when an API key is set. Default `false`. */
  scripted?: boolean
  /** What stops anvil, the API and the MCP server; pass one to stop them early (on a signal). */
  cleanup?: Cleanup
  /** Aborts the agents' runs. */
  signal?: AbortSignal
}

/** What the demo did. */
export type DemoResult = {
  langChain: AgentRun
  aiSdk: AiSdkAgentRun
  mcp: McpSessionRun
  /** Every payment the API accepted. */
  payments: DemoPayment[]
  /** Their sum, in atomic units. */
  total: bigint
  /** How much the payee's USDC balance grew on chain, in atomic units. */
  balanceChange: bigint
}

/**
 * Runs the whole demo: starts a devnet and the demo API (with a settler, so it takes x402 `exact`
 * and `tx`), reads the price list from the API's 402 answers, runs the LangChain agent, the AI SDK
 * agent and an MCP session in turn, prints every quote, payment, result and budget, and ends with
 * a summary whose total must equal the payee's on-chain balance change. Everything it started is
 * stopped before it returns or throws.
 *
 * @example await runDemo({ write: (text) => process.stdout.write(text) })
 * @throws {Error} when a service cannot start, an agent fails, or the totals disagree
 */
export async function runDemo(options: RunDemoOptions): Promise<DemoResult> {
  const started = performance.now()
  const report = createReport({ write: options.write, color: options.color === true })
  const cleanup = options.cleanup ?? createCleanup()
  const model = chooseModel(options.environment ?? process.env, { scripted: options.scripted === true })
  const { signal } = options
  let result: DemoResult
  report.title('Tollgate demo: AI agents that find prices over HTTP 402 and pay for APIs')
  report.blank()
  try {
    const services = await explain('Starting anvil and the demo API', () =>
      startDemoServices({ onStarted: (stop) => cleanup.add(stop) }),
    )
    signal?.throwIfAborted()
    const { devnet, api, asset, payTo } = services
    report.field('chain', `a local devnet (anvil) at ${devnet.rpcUrl}, ${devnet.network}`)
    report.field('token', `${asset.symbol} ${asset.address}, ${asset.decimals} decimals (EIP-3009)`)
    report.field(
      'api',
      `the demo API at ${api.url}, paid to ${shortenAddress(payTo)} (devnet account 9); it takes x402 exact (settled with account 8's gas) and tx`,
    )
    report.field('models', describeModel(model, { scripted: options.scripted === true }))

    report.section('Prices, as the API quotes them in its 402 answers (nothing paid)')
    const prices = await discoverPrices(demoTools(api.url), signal)
    for (const price of prices) {
      const dollars = formatDollars(formatAmount(price.amount, asset.decimals))
      // The gist of what the route sells: its description up to the first detail.
      const gist = price.description.split(/[:(;]/)[0]?.trim() ?? ''
      report.line(`  ${price.route.padEnd(25)}${dollars.padEnd(8)}${gist}`)
    }
    const first = prices[0]
    if (first !== undefined) {
      report.note(
        `Every route offers ${first.schemes.join(' and ')} on ${first.network}, in ${asset.symbol}.`,
      )
    }
    const before = await services.balanceOf(payTo)

    report.section('1. LangChain agent: createAgent (langchain v1) + createPaidTools')
    const langChain = await explain('The LangChain agent', () =>
      runLangChainAgent({ services, report, model, ...(signal ? { signal } : {}) }),
    )
    signal?.throwIfAborted()

    report.section('2. AI SDK agent: generateText (ai v6) + createPaidTools, with tool approval')
    const aiSdk = await explain('The AI SDK agent', () =>
      runAiSdkAgent({ services, report, model, ...(signal ? { signal } : {}) }),
    )
    signal?.throwIfAborted()

    report.section('3. MCP: the official SDK client and the demo MCP server over stdio')
    const mcp = await explain('The MCP session', () =>
      runMcpSession({
        services,
        report,
        onStarted: (stop) => cleanup.add(stop),
        ...(signal ? { signal } : {}),
      }),
    )

    const after = await services.balanceOf(payTo)
    const payments = [...langChain.payments, ...aiSdk.payments, ...mcp.payments]
    const total = payments.reduce((sum, payment) => sum + payment.amount, 0n)
    result = { langChain, aiSdk, mcp, payments, total, balanceChange: after - before }

    report.section('Summary')
    const format = (amount: bigint) => `${formatAmount(amount, asset.decimals)} ${asset.symbol}`
    for (const payment of payments) {
      report.line(
        `  ${payment.payer.padEnd(16)}${payment.route.padEnd(25)}${format(payment.amount).padEnd(11)}${payment.scheme.padEnd(6)}${shortenAddress(payment.transaction)}`,
      )
    }
    report.blank()
    const schemes = countBy(payments.map((payment) => payment.scheme))
    const calls = [...langChain.calls, ...aiSdk.calls]
    const passes = calls.filter((call) => call.events.some((event) => event.type === 'pass_used')).length
    const refused = calls.filter((call) => !call.outcome.ok).length + mcp.questions.length
    report.field(
      'paid',
      `${payments.length} payments accepted by the API (${[...schemes].map(([scheme, count]) => `${count} ${scheme}`).join(', ')}); ${passes} more calls covered by a pass; ${refused} refused before paying (budget or approval)`,
    )
    report.field('total', `${format(total)} (${formatDollars(formatAmount(total, asset.decimals))})`)
    const matches = result.balanceChange === total
    report.field(
      'chain',
      `the payee ${shortenAddress(payTo)} went from ${format(before)} to ${format(after)}: +${format(result.balanceChange)}, ${matches ? 'exactly the total paid' : `but the agents paid ${format(total)}`}`,
    )
    if (!matches) {
      throw new Error(
        `The payee's balance changed by ${format(result.balanceChange)}, but the payments add up to ${format(total)}.`,
      )
    }
  } finally {
    await cleanup.run()
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  report.blank()
  report.paragraph(`Stopped the MCP server, the demo API and anvil. Done in ${seconds} s.`, 0)
  return result
}

// Says which part of the demo failed, keeping the original error as the cause.
async function explain<T>(part: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw new Error(`${part} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}
