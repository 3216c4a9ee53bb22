import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { survivors } from './support/process-tree.js'
import { appDirectory, startDemoProcess } from './support/run-demo-process.js'

const HASH = /0x[0-9a-f]{64}/

/** The step blocks of one section: from a "  [n] tool …" line to the next. */
function stepsOf(section: string): string[] {
  return section.split(/\n(?= {2}\[\d+\] )/).slice(1)
}

/** Text with every run of white space made one space, to match sentences that wrap. */
const flat = (text: string) => text.replace(/\s+/g, ' ')

/** The text from the heading `start` to the heading `end`. */
function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start)
  const to = text.indexOf(end, from)
  expect(from >= 0 && to > from, `"${start}" comes before "${end}"`).toBe(true)
  return text.slice(from, to)
}

describe('the demo script', () => {
  test('is what the package.json `demo` script runs', () => {
    const manifest = JSON.parse(readFileSync(join(appDirectory, 'package.json'), 'utf8'))
    expect(manifest.scripts.demo).toBe('node --import tsx src/demo.ts')
    expect(manifest.private).toBe(true)
  })

  test('default: exits 0, prints every quote, payment, budget and the summary, and leaves nothing running', {
    timeout: 120_000,
  }, async () => {
    const demo = startDemoProcess()
    const { code, signal } = await demo.finished()
    const stdout = demo.stdout()
    expect({ code, signal, stderr: demo.stderr() }).toEqual({ code: 0, signal: null, stderr: '' })

    // Nothing it started outlives it: anvil, the MCP server (and tsx, if it forks).
    const seen = demo.tree.seen()
    expect(
      seen.some((process) => /anvil/.test(process.command)),
      JSON.stringify(seen),
    ).toBe(true)
    expect(seen.some((process) => /src\/main\.ts/.test(process.command))).toBe(true)
    expect(await survivors(seen)).toEqual([])

    for (const title of [
      'Prices, as the API quotes them',
      '1. LangChain agent',
      '2. AI SDK agent',
      '3. MCP: the official SDK client',
      'Summary',
    ]) {
      expect(stdout).toContain(title)
    }
    // Plain text: no colours on a pipe, and every line fits 80 columns.
    expect(stdout).not.toContain('\u001b[')
    expect(stdout.split('\n').filter((line) => line.length > 80)).toEqual([])

    const langChain = between(stdout, '1. LangChain agent', '2. AI SDK agent')
    const aiSdk = between(stdout, '2. AI SDK agent', '3. MCP')
    const mcp = between(stdout, '3. MCP', '\nSummary\n')
    expect(langChain).toMatch(/asked {3}"Research how AI agents pay for APIs/)
    expect(aiSdk).toMatch(/asked {3}"Onboard Ada Lovelace/)

    // Every paid step shows its quote (route, price, scheme, network), its transaction hash and
    // the budget left; refused steps show the code and hint the model got.
    const steps = [...stepsOf(langChain), ...stepsOf(aiSdk)]
    const paid = steps.filter((step) => /\n {6}paid {4}/.test(step))
    expect(paid).toHaveLength(6)
    for (const step of paid) {
      expect(step).toMatch(/\n {6}quote {3}(GET|POST) \/api\/\S+ · [0-9.]+ USDC · (exact|tx) · eip155:31337/)
      expect(step).toMatch(new RegExp(`\\n {6}tx {6}${HASH.source}\\n`))
    }
    for (const step of steps) expect(step).toMatch(/\n {6}budget {2}\$[0-9.]+ left of \$1\.50 \(/)
    expect(stepsOf(langChain).map((step) => step.match(/\[\d+\] (\w+)/)?.[1])).toEqual([
      'web_search',
      'buy_search_pass',
      'web_search',
      'web_search',
      'web_search',
      'publish_post',
      'issue_contract',
    ])
    expect(langChain.match(/ {6}pass {4}covered by the pass/g)).toHaveLength(3)
    expect(flat(langChain)).toContain("so the policy asked the owner's approve() callback: approved")
    expect(flat(langChain)).toContain(
      'refused policy_budget_exceeded: Paying $1 would exceed the budget of $1.5: $0.199 remaining.',
    )
    expect(langChain).toMatch(/spent {3}\$0\.199 left of \$1\.50 \(3 payments, \$1\.301 spent\)/)
    expect(aiSdk.match(/ {6}paid {4}\S+ USDC: sent a token transfer/g)).toHaveLength(3)
    expect(
      flat(aiSdk).match(/owner \w+ may cost up to \$[0-9.]+, more than \$0\.50: the AI SDK paused/g),
    ).toHaveLength(2)
    expect(flat(aiSdk)).toContain(
      'refused policy_budget_exceeded: Paying $1 would exceed the budget of $1.5: $0.599 remaining.',
    )
    expect(flat(aiSdk)).toMatch(/answer .*could not issue the supply contract.*policy_budget_exceeded/)

    // The MCP session: a paid search with its hash, a declined approval, budget and ledger.
    expect(mcp).toMatch(/tools {3}search \(\$0\.001\), publish_post/)
    expect(mcp).toMatch(
      new RegExp(`\\[1\\] search[\\s\\S]*?paid {4}0\\.001 USDC[\\s\\S]*?tx {6}${HASH.source}`),
    )
    expect(mcp).toMatch(/user {4}declines/)
    expect(mcp).toContain('policy_approval_declined')
    expect(mcp).toMatch(
      /\[3\] get_budget \{\}\n {6}got {5}\$0\.999 left of \$1\.00 \(1 payment, \$0\.001 spent\)/,
    )
    expect(mcp).toMatch(/\[4\] list_payments[\s\S]*accepted: 0\.001 USDC \(exact\)/)

    // The summary: one row per payment, and a total that equals the payee's on-chain change.
    const summary = stdout.slice(stdout.indexOf('\nSummary\n'))
    expect(summary.match(/^ {2}(LangChain agent|AI SDK agent|MCP server) /gm)).toHaveLength(7)
    const total = summary.match(/total {3}([0-9.]+) USDC/)?.[1]
    const change = summary.match(/\+([0-9.]+) USDC, exactly the total paid/)?.[1]
    expect(total).toBe('2.203')
    expect(change).toBe(total)
    expect(flat(summary)).toContain(
      'paid 7 payments accepted by the API (4 exact, 3 tx); 3 more calls covered by a pass',
    )
    expect(stdout).toMatch(/Stopped the MCP server, the demo API and anvil\. Done in [0-9.]+ s\.\n$/)
  })
})
