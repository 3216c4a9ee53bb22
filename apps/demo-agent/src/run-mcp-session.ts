import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { formatAmount, type PaymentInfo } from '@tollgate/core'
import { metaKeys } from '@tollgate/mcp'
import type { Report } from './create-report.js'
import { formatBudget, formatDollars } from './format-budget.js'
import type { DemoPayment } from './report-paid-call.js'
import type { DemoServices } from './start-demo-services.js'
import { shorten, shortenAddress, summarizeData } from './summarize-data.js'

/** Options of {@link runMcpSession}. */
export type RunMcpSessionOptions = {
  services: DemoServices
  /** Where the session's steps are printed. */
  report: Report
  /** Devnet account the MCP server pays from. Default 3. */
  account?: number
  /** The MCP server's budget. Default `"$1"`. */
  budget?: string
  /** Called with a function that stops the MCP server, as soon as it is being started. */
  onStarted?: (stop: () => Promise<void>) => void
  /** Stops the session. */
  signal?: AbortSignal
}

/** What the MCP session did. */
export type McpSessionRun = {
  /** Names of the tools the server listed. */
  tools: string[]
  /** Payments the API accepted from the MCP server's wallet. */
  payments: DemoPayment[]
  /** The elicitation questions the server asked, all declined. */
  questions: string[]
  /** Every tool result, by call order. */
  results: { tool: string; result: CallToolResult }[]
  /** The server's process id while it ran. */
  pid: number | undefined
}

const STDERR_TAIL = 4000

/**
 * Runs the MCP part of the demo: the official MCP SDK `Client` launches the demo MCP server
 * (`apps/demo-mcp`, its `start` command) over stdio, with its wallet on devnet account 3, then
 * lists the tools, calls `search` (the server pays the demo API), calls `verify_identity` and
 * declines the payment when the server asks through MCP elicitation (nothing is paid), and reads
 * `get_budget` and `list_payments`. The server is stopped when the session ends.
 *
 * @example const session = await runMcpSession({ services, report })
 * @throws {Error} when the server cannot start or a call fails at the protocol level
 */
export async function runMcpSession(options: RunMcpSessionOptions): Promise<McpSessionRun> {
  const { services, report } = options
  const account = options.account ?? 3
  const budget = options.budget ?? '$1'
  const server = demoMcpCommand()
  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args,
    cwd: server.directory,
    env: {
      TOLLGATE_PRIVATE_KEY: services.devnet.accounts[account]!.privateKey,
      TOLLGATE_RPC_URL: services.devnet.rpcUrl,
      TOLLGATE_API_URL: services.api.url,
      TOLLGATE_ASSET: services.asset.address,
      TOLLGATE_BUDGET: budget,
      TOLLGATE_APPROVE_ABOVE: '$0.50',
    },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)
  })
  const stop = () => stopServer(transport)
  options.onStarted?.(stop)
  // Last resort when the demo exits without stopping it (a second Ctrl-C): no stray server.
  const killOnExit = () => {
    if (transport.pid !== null && transport.pid !== undefined) {
      try {
        process.kill(transport.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
  process.once('exit', killOnExit)

  const client = new Client(
    { name: 'tollgate-demo', version: '0.0.0' },
    { capabilities: { elicitation: {} } },
  )
  const questions: string[] = []
  // The user, asked by the server before an expensive payment, says no.
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    questions.push(request.params.message)
    report.field('asked', `the server asks the user (MCP elicitation): "${request.params.message}"`, 6)
    report.field('user', 'declines', 6)
    return { action: 'decline' }
  })
  const requestOptions = {
    timeout: 60_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }
  const results: McpSessionRun['results'] = []
  const payments: DemoPayment[] = []
  let number = 0
  const call = async (tool: string, args: Record<string, unknown>) => {
    report.heading(`[${++number}] ${tool} ${shorten(JSON.stringify(args), report.width - tool.length - 8)}`)
    const result = (await client.callTool(
      { name: tool, arguments: args },
      undefined,
      requestOptions,
    )) as CallToolResult
    results.push({ tool, result })
    return result
  }

  try {
    try {
      await client.connect(transport, requestOptions)
    } catch (error) {
      throw new Error(`The demo MCP server did not start: ${(error as Error).message}\n${stderr.trim()}`)
    }
    report.field(
      'server',
      `${server.display} in apps/demo-mcp (pid ${transport.pid ?? '?'}), over stdio; it pays from devnet account ${account} (${shortenAddress(services.devnet.accounts[account]!.address)}), budget ${formatDollars(budget)}, approval above $0.50`,
    )
    const { tools } = await client.listTools(undefined, requestOptions)
    report.field('tools', tools.map((tool) => `${tool.name}${priceOf(tool.description)}`).join(', '))
    report.blank()

    const search = await call('search', { q: 'x402 MCP servers' })
    const payment = search._meta?.[metaKeys.tollgatePayment] as PaymentInfo | undefined
    if (payment?.transaction !== undefined && payment.amount !== undefined) {
      report.field(
        'quote',
        `GET /api/search · ${payment.display} · ${payment.scheme} · ${payment.network} (the API's 402, read by the server)`,
        6,
      )
      report.field(
        'paid',
        `${payment.display}: the server paid the demo API (${payment.scheme}, ${payment.network})`,
        6,
      )
      report.field('tx', payment.transaction, 6)
      payments.push({
        payer: 'MCP server',
        route: 'GET /api/search',
        scheme: payment.scheme ?? '?',
        network: payment.network ?? '?',
        amount: BigInt(payment.amount),
        display: payment.display ?? payment.amount,
        transaction: payment.transaction,
      })
    }
    report.field('got', describeResult('search', search), 6)

    const identity = await call('verify_identity', {
      name: 'Ada Lovelace',
      country: 'GB',
      documentNumber: 'GB1234567',
    })
    report.field('got', describeResult('verify_identity', identity), 6)

    const spent = await call('get_budget', {})
    const budgetReport = spent.structuredContent as {
      payments?: number
      usd?: { spent: string; remaining?: string; limit?: string }
    }
    report.field('got', formatBudget({ payments: budgetReport.payments ?? 0, usd: budgetReport.usd }), 6)

    const listed = await call('list_payments', { limit: 5 })
    const entries = ((listed.structuredContent as { payments?: unknown[] }).payments ?? []) as {
      status: string
      scheme: string
      amount: string
      transaction?: string
    }[]
    report.field(
      'got',
      `${entries.length} payment${entries.length === 1 ? '' : 's'} in the server's ledger`,
      6,
    )
    for (const entry of entries) {
      const amount = `${formatAmount(BigInt(entry.amount), services.asset.decimals)} ${services.asset.symbol}`
      report.field('', `${entry.status}: ${amount} (${entry.scheme}) ${entry.transaction ?? ''}`, 6)
    }
    return {
      tools: tools.map((tool) => tool.name),
      payments,
      questions,
      results,
      pid: transport.pid ?? undefined,
    }
  } finally {
    await client.close().catch(() => {})
    await stop()
    process.off('exit', killOnExit)
  }
}

/** The demo MCP server's `start` command, run the way pnpm would run it, but without pnpm in between. */
function demoMcpCommand(): { command: string; args: string[]; directory: string; display: string } {
  const entry = createRequire(import.meta.url).resolve('@tollgate/demo-mcp')
  let directory = dirname(entry)
  let start: string | undefined
  for (let depth = 0; depth < 5 && start === undefined; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: string
        scripts?: { start?: string }
      }
      if (manifest.name === '@tollgate/demo-mcp') start = manifest.scripts?.start
      else directory = dirname(directory)
    } catch {
      directory = dirname(directory)
    }
  }
  const [program, ...args] = (start ?? '').split(/\s+/).filter((word) => word !== '')
  if (program !== 'node') {
    throw new Error(`The demo MCP server's start script is not a node command: ${JSON.stringify(start)}.`)
  }
  // The same Node as the demo, so the child never depends on which `node` is first on the PATH.
  return { command: process.execPath, args, directory, display: `node ${args.join(' ')}` }
}

async function stopServer(transport: StdioClientTransport): Promise<void> {
  const pid = transport.pid
  // Closing stdin ends the server; a server still starting gets SIGTERM at once instead of in 2 s.
  if (pid !== null && pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // Already gone.
    }
  }
  await transport.close()
}

// The price the server states in a tool's description ("Costs $0.30 per call", "Paid: up to $0.60").
function priceOf(description: string | undefined): string {
  const match = /(?:Costs|up to) (\$[0-9.]+)/.exec(description ?? '')
  return match === null ? '' : ` (${match[1]})`
}

function describeResult(tool: string, result: CallToolResult): string {
  const content = result.structuredContent as Record<string, unknown> | undefined
  if (result.isError === true) {
    const code = String(content?.code ?? content?.error ?? 'error')
    return `an error result, ${code}: ${String(content?.message ?? '')} Nothing was paid.`
  }
  return summarizeData(tool, content)
}
