import { type ClientEvent, formatAmount, type SpendingReport } from '@tollgate/core'
import type { PaidCall } from './create-paid-call-tracker.js'
import type { Report } from './create-report.js'
import { formatBudget } from './format-budget.js'
import { formatUnixTime, shorten, summarizeData } from './summarize-data.js'

/** A payment the API accepted, for the demo's summary. */
export type DemoPayment = {
  /** Who paid: the LangChain agent, the AI SDK agent or the MCP server. */
  payer: string
  /** Such as `"GET /api/search"`. */
  route: string
  /** `"exact"` or `"tx"`. */
  scheme: string
  /** CAIP-2 network. */
  network: string
  /** Atomic units of the asset. */
  amount: bigint
  /** Such as `"0.001 USDC"`. */
  display: string
  /** The settlement (exact) or transfer (tx) transaction. */
  transaction: string
}

/** Options of {@link reportPaidCall}. */
export type ReportPaidCallOptions = {
  /** Who pays, for the summary. */
  payer: string
  /** The route the tool calls, such as `"POST /api/post"`. */
  route: string
  /** The client's spending report after the call. */
  budget: SpendingReport
  /** The asset prices are quoted in (for a price refused before a quote was chosen). */
  asset: { decimals: number; symbol: string }
  /** Approval given before the call ran (by the framework), to print with it. */
  approval?: string
}

const DETAIL = 6

/**
 * Prints one tool call of an agent: what it called, what it was quoted (route, price, scheme,
 * network), the approval, what it paid (amount and transaction) or which pass covered it, what it
 * got (or the structured problem and hint the model was handed), and the budget left.
 *
 * @example const payment = reportPaidCall(report, call, { payer: 'LangChain agent', route, budget: await client.spent(), asset })
 * @returns the payment the API accepted in this call, if any
 */
export function reportPaidCall(
  report: Report,
  call: PaidCall,
  options: ReportPaidCallOptions,
): DemoPayment | undefined {
  const input = JSON.stringify(call.input ?? {})
  report.heading(`[${call.number}] ${call.tool} ${shorten(input, report.width - call.tool.length - 8)}`)
  const quote = findEvent(call.events, 'quote')
  const required = findEvent(call.events, 'payment_required')
  if (quote !== undefined) {
    const { requirements } = quote
    const sellsPass = typeof requirements.extra.pass === 'object' ? ' · sells a pass' : ''
    report.field(
      'quote',
      `${options.route} · ${quote.display} · ${requirements.scheme} · ${requirements.network}${sellsPass}`,
      DETAIL,
    )
  } else if (required !== undefined && required.accepts[0] !== undefined) {
    const offer = required.accepts[0]
    const schemes = [...new Set(required.accepts.map((entry) => entry.scheme))].join(' or ')
    const price = `${formatAmount(BigInt(offer.amount), options.asset.decimals)} ${options.asset.symbol}`
    report.field('quote', `${options.route} · ${price} · ${schemes} · ${offer.network}`, DETAIL)
  }
  if (options.approval !== undefined) report.field('owner', options.approval, DETAIL)
  for (const approval of call.approvals) report.field('owner', approval, DETAIL)

  let payment: DemoPayment | undefined
  const accepted = findEvent(call.events, 'payment_accepted')
  if (quote !== undefined && accepted !== undefined) {
    const { scheme, network } = quote.requirements
    const how =
      scheme === 'exact'
        ? 'signed an EIP-3009 authorization; the API settled it on chain (x402 exact)'
        : 'sent a token transfer, then signed a proof of it (tx)'
    report.field('paid', `${quote.display}: ${how}`, DETAIL)
    if (accepted.transaction !== undefined) report.field('tx', accepted.transaction, DETAIL)
    if (accepted.transaction !== undefined) {
      payment = {
        payer: options.payer,
        route: options.route,
        scheme,
        network,
        amount: quote.amount,
        display: quote.display,
        transaction: accepted.transaction,
      }
    }
  } else if (findEvent(call.events, 'pass_used') !== undefined) {
    report.field('pass', 'covered by the pass bought earlier: nothing paid', DETAIL)
  }

  if (call.outcome.ok && accepted?.pass !== undefined) {
    // Under x402 exact the pass is issued at settlement, after the body was sent: it is in PAYMENT-RESPONSE.
    const { pass } = accepted
    report.field(
      'got',
      `a pass for ${pass.scope.routes.join(', ')}, valid until ${formatUnixTime(pass.expiresAt)}`,
      DETAIL,
    )
  } else if (call.outcome.ok) {
    report.field('got', summarizeData(call.tool, call.outcome.data), DETAIL)
  } else {
    const { problem } = call.outcome
    report.field('refused', `${problem.error}: ${problem.message}`, DETAIL)
    report.field('hint', problem.hint, DETAIL)
  }
  report.field('budget', formatBudget(options.budget), DETAIL)
  return payment
}

function findEvent<T extends ClientEvent['type']>(
  events: readonly ClientEvent[],
  type: T,
): Extract<ClientEvent, { type: T }> | undefined {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!
    if (event.type === type) return event as Extract<ClientEvent, { type: T }>
  }
  return undefined
}
