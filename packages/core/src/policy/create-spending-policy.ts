import type { ChainRegistry } from '../chains/create-chain-registry.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { Ledger } from '../ledger/types.js'
import { approvalMissing } from './approval-missing.js'
import { buildSpendingReport } from './build-spending-report.js'
import { compileLimit } from './compile-limit.js'
import { compilePolicy, type PolicyRuntime } from './compile-policy.js'
import { describePayment } from './describe-payment.js'
import { evaluateQuote } from './evaluate-quote.js'
import { fireHook } from './fire-hook.js'
import { isPreApproved } from './is-pre-approved.js'
import { rescaleAmount } from './rescale-amount.js'
import { reservePayment } from './reserve-payment.js'
import { spendAsset } from './spend-asset.js'
import { toLimitError } from './to-limit-error.js'
import type {
  Money,
  PolicyDeclineEvent,
  PolicyPayment,
  PolicyPaymentEvent,
  PolicyQuote,
  PolicyRateLimit,
  PolicyWindow,
  ReservationReference,
  ReserveOptions,
  SpendingPolicy,
} from './types.js'

/** Options of {@link createSpendingPolicy}. Every option is optional; an empty policy allows everything. */
export type CreateSpendingPolicyOptions = {
  /**
   * Limits on total spend, each enforced independently: a payment must fit every line that
   * applies to its asset, and a payment no line can value is declined with `policy_asset_denied`.
   * `"$5"` counts every USD-pegged asset, `"10 USDC"` that symbol on any network, `{ amount, asset,
   * network? }` atomic units of one asset. Default: no budget.
   */
  budget?: Money | readonly Money[]
  /** Which committed spend counts against `budget`. Default `'lifetime'`. */
  window?: PolicyWindow
  /**
   * Caps on a single payment, in the syntax of `budget`; a payment no line can value is declined
   * with `policy_asset_denied`. Default: no cap.
   */
  perCall?: Money | readonly Money[]
  /**
   * Hosts that may be paid: exact names (`api.example.com`) or `*.example.com` for subdomains
   * (not the apex). Case-insensitive, international names in punycode, ports ignored.
   * Default: any host.
   */
  allowedDomains?: readonly string[]
  /** CAIP-2 networks that may be paid on. Default: any network. */
  networks?: readonly string[]
  /** Assets that may be paid in: addresses, mints, symbols or `"native"`. Default: any asset. */
  assets?: readonly string[]
  /**
   * Payments strictly above this amount (and payments it cannot value) wait for `approve`.
   * Default: no approval.
   */
  requireApprovalAbove?: Money
  /**
   * Asked before a payment above `requireApprovalAbove`; only `true` approves. Without it such
   * payments are declined. Default: none.
   */
  approve?: (request: PolicyPayment) => boolean | Promise<boolean>
  /** At most `payments` payments per sliding `perSeconds`, counting reserved ones. Default: no limit. */
  rateLimit?: PolicyRateLimit
  /** When the policy stops allowing payments: unix seconds or a Date. Default: never. */
  expiresAt?: number | Date
  /** Seconds after creation when the policy stops allowing payments. Default: never. */
  expiresIn?: number
  /** Called once per committed payment, whichever client commits it. Errors are swallowed and never change a decision. */
  onPayment?: (event: PolicyPaymentEvent) => void | Promise<void>
  /** Called on each decline. Errors are swallowed and never change a decision. */
  onDecline?: (event: PolicyDeclineEvent) => void | Promise<void>
  /**
   * The chain registry that decimals and USD pegs come from; pass the client's. Default
   * `createChainRegistry()`.
   */
  registry?: ChainRegistry
  /**
   * Where the budget lives: reservations, commits and releases are atomic operations of this
   * ledger, so every policy, client and process sharing it shares one budget (a restart, too, for
   * a durable ledger). Default `createMemoryLedger()`, forgotten when the process exits.
   */
  ledger?: Ledger
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
}

/**
 * Creates a spending policy: the checks a client runs before signing anything (expiry, domain,
 * network, asset, per-call cap, rate limit, budget, approval) and the reserve, commit and release
 * accounting, kept in its ledger, that keeps concurrent payments inside the budget. Money is
 * valued only with the policy's own chain registry, never with decimals a server sent.
 *
 * @example
 * const policy = createSpendingPolicy({
 *   budget: '$5',
 *   window: { seconds: 86_400 },
 *   perCall: '$0.10',
 *   allowedDomains: ['api.example.com', '*.example.org'],
 *   requireApprovalAbove: '$0.05',
 *   approve: async (request) => confirm(`Pay $${request.usd} to ${request.url}?`),
 *   ledger: createFileLedger({ path: 'ledger.jsonl' }),
 * })
 * const reservation = await policy.reserve({ url, requirements, asset, amount })
 * await pay() // then: await policy.commit(reservation), or release it only if no money moved
 * @throws {TollgateError} `config_invalid` for invalid options. `reserve` and `check` reject with
 * `policy_wallet_expired`, `policy_denied_domain`, `policy_network_denied`, `policy_asset_denied`,
 * `policy_per_call_exceeded`, `policy_rate_limited`, `policy_budget_exceeded` or
 * `policy_approval_declined`, with `invalid_payment_requirements` or `amount_*` for a malformed
 * quote, and with the ledger's errors (`ledger_unavailable`, `ledger_locked`).
 */
export function createSpendingPolicy(options: CreateSpendingPolicyOptions = {}): SpendingPolicy {
  const runtime = compilePolicy(options)
  const { ledger } = runtime
  return {
    ledger,
    reserve: (input, reserveOptions) => reservePayment(runtime, input, reserveOptions),
    async commit(reservation) {
      const spend = await ledger.commit(referenceId(reservation), runtime.now())
      // Fired by the commit that changed the ledger, so a payment is reported once however many commit it.
      if (spend !== undefined) {
        const { asset } = spendAsset(runtime.registry, spend)
        const payment = describePayment(
          {
            url: spend.url,
            requirements: {
              scheme: spend.scheme,
              network: asset.network,
              asset: spend.asset,
              amount: spend.amount.toString(),
              payTo: spend.payTo,
              maxTimeoutSeconds: 0,
              extra: {},
            },
            asset,
            amount: spend.amount,
          },
          runtime.registry,
        )
        fireHook(options.onPayment, { ...payment, at: spend.settledAt ?? runtime.now() })
      }
    },
    async release(reservation) {
      await ledger.release(referenceId(reservation), runtime.now())
    },
    check: (input, checkOptions) => checkPayment(runtime, input, checkOptions),
    async spent() {
      const at = runtime.now()
      const spends = await ledger.spends(
        runtime.windowMs === undefined ? {} : { committedAfter: at - runtime.windowMs },
      )
      return buildSpendingReport(runtime, spends)
    },
    needsApproval: (money) => needsApproval(runtime, money),
  }
}

async function checkPayment(
  runtime: PolicyRuntime,
  input: PolicyQuote,
  options: ReserveOptions = {},
): Promise<{ approvalRequired: boolean }> {
  const at = runtime.now()
  const payment = describePayment(input, runtime.registry)
  const evaluation = evaluateQuote(runtime, input, payment, at)
  const usages = await runtime.ledger.usage(evaluation.limits, at)
  for (const usage of usages) {
    const value = evaluation.charges.find((charge) => charge.line === usage.line)?.value ?? 0n
    if (usage.committed + usage.reserved + value > usage.limit) {
      throw toLimitError(runtime, usage, evaluation.charges, at)
    }
  }
  const approvalRequired = evaluation.approvalRequired && !isPreApproved(runtime, input, options)
  if (approvalRequired && runtime.options.approve === undefined) throw approvalMissing(runtime, payment)
  return { approvalRequired }
}

function needsApproval(runtime: PolicyRuntime, money: Money): boolean {
  const approvalLine = runtime.approvalLine
  if (approvalLine === undefined) return false
  const line = compileLimit(money, { registry: runtime.registry, option: 'needsApproval' })
  if (
    line.kind !== approvalLine.kind ||
    (line.kind !== 'usd' && line.label.split(' ').pop() !== approvalLine.label.split(' ').pop())
  ) {
    return true
  }
  const decimals = Math.max(line.decimals, approvalLine.decimals)
  return (
    rescaleAmount(line.limit, line.decimals, decimals, 'up') >
    rescaleAmount(approvalLine.limit, approvalLine.decimals, decimals, 'down')
  )
}

function referenceId(reservation: ReservationReference): string {
  const id = (reservation as { id?: unknown } | undefined)?.id
  if (typeof id !== 'string' || id.length === 0) {
    throw new TollgateError('config_invalid', 'A reservation reference needs the `id` `reserve` returned.')
  }
  return id
}
