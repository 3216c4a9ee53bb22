import { formatAmount } from '../amount/format-amount.js'
import { type ChainRegistry, createChainRegistry } from '../chains/create-chain-registry.js'
import { isNetwork } from '../chains/is-network.js'
import type { AssetInfo } from '../chains/types.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import { assertIntegerOption } from '../token/assert-integer-option.js'
import { compileLimit, type LimitLine, VALUE_DECIMALS } from './compile-limit.js'
import { createDomainMatcher } from './create-domain-matcher.js'
import { createSpendTally, type SpendEntry } from './create-spend-tally.js'
import { rescaleAmount } from './rescale-amount.js'
import { sameAddress } from './same-address.js'
import type {
  Money,
  PolicyCheckResult,
  PolicyDeclineEvent,
  PolicyPayment,
  PolicyPaymentEvent,
  PolicyQuote,
  PolicyRateLimit,
  PolicyWindow,
  Reservation,
  ReserveOptions,
  SpendingPolicy,
  SpendingReport,
  SpendingReportAsset,
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
  /** Called after each commit. Errors are swallowed and never change a decision. */
  onPayment?: (event: PolicyPaymentEvent) => void | Promise<void>
  /** Called on each decline. Errors are swallowed and never change a decision. */
  onDecline?: (event: PolicyDeclineEvent) => void | Promise<void>
  /**
   * The chain registry that decimals and USD pegs come from; pass the client's. Default
   * `createChainRegistry()`.
   */
  registry?: ChainRegistry
  /** Clock in unix milliseconds. Default `Date.now`. */
  now?: () => number
}

type ReservationState = {
  status: 'reserved' | 'committed' | 'released'
  entry: SpendEntry
  payment: PolicyPayment
}

type Evaluation = {
  entry: SpendEntry
  approvalRequired: boolean
}

const MAX_SECONDS = 3_153_600_000

/**
 * Creates a spending policy: the checks a client runs before signing anything (expiry, domain,
 * network, asset, per-call cap, rate limit, budget, approval) and the reserve, commit and
 * release accounting that keeps concurrent payments inside the budget. Money is valued only with
 * the policy's own chain registry, never with decimals a server sent.
 *
 * @example
 * const policy = createSpendingPolicy({
 *   budget: '$5',
 *   window: { seconds: 86_400 },
 *   perCall: '$0.10',
 *   allowedDomains: ['api.example.com', '*.example.org'],
 *   requireApprovalAbove: '$0.05',
 *   approve: async (request) => confirm(`Pay $${request.usd} to ${request.url}?`),
 * })
 * const reservation = await policy.reserve({ url, requirements, asset, amount })
 * try { await pay(); policy.commit(reservation) } catch (error) { policy.release(reservation); throw error }
 * @throws {TollgateError} `config_invalid` for invalid options. `reserve` rejects, and `check` throws, with
 * `policy_wallet_expired`, `policy_denied_domain`, `policy_network_denied`, `policy_asset_denied`,
 * `policy_per_call_exceeded`, `policy_rate_limited`, `policy_budget_exceeded` or
 * `policy_approval_declined`, and with `invalid_payment_requirements` or `amount_*` for a malformed quote.
 */
export function createSpendingPolicy(options: CreateSpendingPolicyOptions = {}): SpendingPolicy {
  const registry = options.registry ?? createChainRegistry()
  const clock = options.now ?? Date.now
  // A clock returning NaN would make every expiry and window comparison pass: refuse it.
  const now = (): number => {
    const milliseconds = clock()
    if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds)) {
      throw new TollgateError(
        'config_invalid',
        `The clock returned ${quote(String(milliseconds))}; \`now\` must return unix milliseconds.`,
      )
    }
    return milliseconds
  }
  const budgets = compileLimits(options.budget, 'budget', registry)
  const perCall = compileLimits(options.perCall, 'perCall', registry)
  const approvalLine =
    options.requireApprovalAbove === undefined
      ? undefined
      : compileLimit(options.requireApprovalAbove, { registry, option: 'requireApprovalAbove' })
  const windowMs = windowMilliseconds(options.window)
  const rateLimit = validateRateLimit(options.rateLimit)
  const expiresAtMs = expiryMilliseconds(options, now())
  const domainAllowed =
    options.allowedDomains === undefined ? undefined : createDomainMatcher(options.allowedDomains)
  const networks = validateNetworks(options.networks)
  const assets = validateAssets(options.assets)

  const lineCount = budgets?.length ?? 0
  const committed = createSpendTally(lineCount)
  const reserved = createSpendTally(lineCount)
  // Committed entries still inside a rolling window, oldest first; unused for lifetime budgets.
  const windowEntries: SpendEntry[] = []
  // Commit times still inside the rate-limit window, oldest first.
  const paymentTimes: number[] = []
  // Keyed by the reservation object itself, so settled reservations are garbage-collected.
  const states = new WeakMap<Reservation, ReservationState>()

  const prune = (at: number): void => {
    if (windowMs !== undefined) {
      while (windowEntries.length > 0 && (windowEntries[0] as SpendEntry).at <= at - windowMs) {
        committed.subtract(windowEntries.shift() as SpendEntry)
      }
    }
    if (rateLimit !== undefined) {
      const perMs = rateLimit.perSeconds * 1000
      while (paymentTimes.length > 0 && (paymentTimes[0] as number) <= at - perMs) paymentTimes.shift()
    }
  }

  const evaluate = (input: PolicyQuote, payment: PolicyPayment, at: number): Evaluation => {
    const { requirements, amount } = input
    const network = requirements.network
    const valued = registry.findAsset(network, requirements.asset)
    if (expiresAtMs !== undefined && at >= expiresAtMs) {
      throw new TollgateError(
        'policy_wallet_expired',
        `The spending policy expired at ${new Date(expiresAtMs).toISOString()}; it declines every payment.`,
        { details: { expiresAt: Math.floor(expiresAtMs / 1000) } },
      )
    }
    if (domainAllowed !== undefined && !domainAllowed(input.url)) {
      const host = hostForMessage(input.url)
      throw new TollgateError('policy_denied_domain', `Host ${quote(host)} is not in \`allowedDomains\`.`, {
        details: { host },
      })
    }
    if (networks !== undefined && !networks.has(network)) {
      throw new TollgateError('policy_network_denied', `Network ${quote(network)} is not in \`networks\`.`, {
        details: { network },
      })
    }
    if (
      assets !== undefined &&
      !assets.some((reference) => namesAsset(reference, network, requirements.asset, registry))
    ) {
      throw new TollgateError(
        'policy_asset_denied',
        `Asset ${quote(requirements.asset)} on ${network} is not in \`assets\`.`,
        { details: { network, asset: requirements.asset } },
      )
    }
    if (perCall !== undefined) {
      for (const line of applicableLines(perCall, valued, 'perCall', payment)) {
        const value = line.measure(valued as AssetInfo, amount)
        if (value > line.limit) {
          throw new TollgateError(
            'policy_per_call_exceeded',
            `Paying ${line.format(value)} is above the per-call limit of ${line.label}.`,
            { details: { limit: line.label, amount: line.format(value) } },
          )
        }
      }
    }
    prune(at)
    if (rateLimit !== undefined) {
      // Reserved payments count too, so concurrent payments cannot slip past the limit.
      const used = paymentTimes.length + reserved.payments
      if (used >= rateLimit.payments) {
        const retryAfter = rateLimitRetryAfter(rateLimit, paymentTimes, used, at)
        throw new TollgateError(
          'policy_rate_limited',
          `The policy allows ${rateLimit.payments} payments per ${rateLimit.perSeconds} s; retry in ${retryAfter} s.`,
          { retryAfter, details: { payments: rateLimit.payments, perSeconds: rateLimit.perSeconds } },
        )
      }
    }
    const values = Array.from({ length: lineCount }, () => 0n)
    if (budgets !== undefined) {
      const applicable = new Set(applicableLines(budgets, valued, 'budget', payment))
      budgets.forEach((line, index) => {
        if (!applicable.has(line)) return
        const value = line.measure(valued as AssetInfo, amount)
        const spent = committed.lines[index] ?? 0n
        const held = reserved.lines[index] ?? 0n
        values[index] = value
        if (spent + held + value > line.limit) {
          const remaining = positive(line.limit - spent - held)
          throw new TollgateError(
            'policy_budget_exceeded',
            `Paying ${line.format(value)} would exceed the budget of ${line.label}${windowText(windowMs)}: ${line.format(remaining)} remaining.`,
            {
              details: {
                limit: line.label,
                remaining: line.format(remaining),
                amount: line.format(value),
                spent: line.format(spent),
                reserved: line.format(held),
                window: windowMs === undefined ? 'lifetime' : { seconds: windowMs / 1000 },
              },
            },
          )
        }
      })
    }
    // A payment the threshold cannot value is treated as above it: unknown means ask.
    const approvalRequired =
      approvalLine !== undefined &&
      (valued === undefined ||
        !approvalLine.applies(valued) ||
        approvalLine.measure(valued, amount) > approvalLine.limit)
    const entry: SpendEntry = {
      at,
      key: assetKey(network, payment.asset.address),
      asset: payment.asset,
      valued: valued !== undefined,
      amount,
      values,
    }
    return { entry, approvalRequired }
  }

  const fire = <Event>(hook: ((event: Event) => void | Promise<void>) | undefined, event: Event): void => {
    if (hook === undefined) return
    try {
      const result: unknown = hook(event)
      // An async hook's rejection is swallowed too, instead of becoming an unhandled rejection.
      if (typeof (result as PromiseLike<void> | undefined)?.then === 'function') {
        ;(result as PromiseLike<void>).then(undefined, () => undefined)
      }
    } catch {
      // A broken hook must never change a payment decision.
    }
  }

  const decline = (payment: PolicyPayment, error: unknown, at: number): void => {
    if (TollgateError.is(error)) fire(options.onDecline, { ...payment, at, error })
  }

  // Approved ahead for at least this much (through an agent framework): the owner has already said yes.
  const preApproved = (input: PolicyQuote, reserveOptions: ReserveOptions): boolean => {
    if (reserveOptions.approvedUpTo === undefined) return false
    const approved = compileLimit(reserveOptions.approvedUpTo, { registry, option: 'approvedUpTo' })
    const valued = registry.findAsset(input.requirements.network, input.requirements.asset)
    return (
      valued !== undefined &&
      approved.applies(valued) &&
      approved.measure(valued, input.amount) <= approved.limit
    )
  }

  const approvalMissing = (payment: PolicyPayment): TollgateError =>
    new TollgateError(
      'policy_approval_declined',
      `Payments above ${approvalLine?.label} need approval, and no \`approve\` callback is configured.`,
      { details: { threshold: approvalLine?.label, amount: payment.amountFormatted } },
    )

  return {
    async reserve(input, reserveOptions = {}) {
      const at = now()
      const payment = describePayment(input, registry)
      let evaluation: Evaluation
      try {
        evaluation = evaluate(input, payment, at)
        if (evaluation.approvalRequired && preApproved(input, reserveOptions)) {
          evaluation = { ...evaluation, approvalRequired: false }
        }
        if (evaluation.approvalRequired && options.approve === undefined) throw approvalMissing(payment)
      } catch (error) {
        decline(payment, error, at)
        throw error
      }
      // Reserved before the first await, so concurrent reserves see each other's holds.
      reserved.add(evaluation.entry)
      const reservation: Reservation = Object.freeze({
        ...payment,
        id: crypto.randomUUID(),
        reservedAt: at,
      })
      const state: ReservationState = { status: 'reserved', entry: evaluation.entry, payment }
      states.set(reservation, state)
      if (evaluation.approvalRequired) {
        let approved = false
        let failure: unknown
        try {
          approved = (await (options.approve as NonNullable<typeof options.approve>)({ ...payment })) === true
        } catch (error) {
          failure = error
        }
        if (!approved) {
          if (state.status === 'reserved') {
            reserved.subtract(state.entry)
            state.status = 'released'
          }
          const error = new TollgateError(
            'policy_approval_declined',
            failure === undefined
              ? `The approval callback declined paying ${payment.amountFormatted} ${payment.asset.symbol}.`
              : `The approval callback failed, so paying ${payment.amountFormatted} ${payment.asset.symbol} is declined.`,
            {
              ...(failure === undefined ? {} : { cause: failure }),
              details: { threshold: approvalLine?.label, amount: payment.amountFormatted },
            },
          )
          decline(payment, error, now())
          throw error
        }
      }
      return reservation
    },

    commit(reservation) {
      const state = states.get(reservation)
      if (state === undefined) {
        throw new TollgateError('config_invalid', 'This reservation was not made by this spending policy.', {
          details: { id: String((reservation as { id?: unknown } | undefined)?.id).slice(0, 64) },
        })
      }
      if (state.status === 'committed') return
      // Money that left the wallet counts even if the reservation was released by mistake.
      if (state.status === 'reserved') reserved.subtract(state.entry)
      state.status = 'committed'
      const at = now()
      const entry: SpendEntry = { ...state.entry, at }
      prune(at)
      committed.add(entry)
      if (windowMs !== undefined) windowEntries.push(entry)
      if (rateLimit !== undefined) paymentTimes.push(at)
      fire(options.onPayment, { ...state.payment, at })
    },

    release(reservation) {
      const state = states.get(reservation)
      if (state === undefined || state.status !== 'reserved') return
      reserved.subtract(state.entry)
      state.status = 'released'
    },

    check(input, checkOptions = {}): PolicyCheckResult {
      const payment = describePayment(input, registry)
      const approvalRequired =
        evaluate(input, payment, now()).approvalRequired && !preApproved(input, checkOptions)
      if (approvalRequired && options.approve === undefined) throw approvalMissing(payment)
      return { approvalRequired }
    },

    spent(): SpendingReport {
      prune(now())
      return buildReport({ budgets, committed, reserved })
    },

    needsApproval(money) {
      if (approvalLine === undefined) return false
      const line = compileLimit(money, { registry, option: 'needsApproval' })
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
    },

    restore(spends) {
      const at = now()
      for (const spend of [...spends].sort((left, right) => left.at - right.at)) {
        if (windowMs !== undefined && spend.at <= at - windowMs) continue
        const valued = registry.findAsset(spend.network, spend.asset)
        if (valued === undefined) continue
        const values = (budgets ?? []).map((line) =>
          line.applies(valued) ? line.measure(valued, spend.amount) : 0n,
        )
        const entry: SpendEntry = {
          at: spend.at,
          key: assetKey(spend.network, valued.address),
          asset: valued,
          valued: true,
          amount: spend.amount,
          values,
        }
        committed.add(entry)
        // Kept in time order, since pruning drops entries from the front.
        if (windowMs !== undefined)
          windowEntries.splice(
            sortedIndex(windowEntries, spend.at, (item) => item.at),
            0,
            entry,
          )
        if (rateLimit !== undefined)
          paymentTimes.splice(
            sortedIndex(paymentTimes, spend.at, (item) => item),
            0,
            spend.at,
          )
      }
      prune(at)
    },
  }
}

function compileLimits(
  money: Money | readonly Money[] | undefined,
  option: string,
  registry: ChainRegistry,
): LimitLine[] | undefined {
  if (money === undefined) return undefined
  const list: readonly Money[] = Array.isArray(money) ? money : [money as Money]
  if (list.length === 0) {
    throw new TollgateError('config_invalid', `\`${option}\` is an empty list; leave it out for no limit.`)
  }
  return list.map((entry) => compileLimit(entry, { registry, option }))
}

// The lines that value this asset; none means the payment cannot be checked, so it is declined.
function applicableLines(
  lines: readonly LimitLine[],
  valued: AssetInfo | undefined,
  option: string,
  payment: PolicyPayment,
): LimitLine[] {
  const applicable = valued === undefined ? [] : lines.filter((line) => line.applies(valued))
  if (applicable.length === 0) {
    const known = valued === undefined ? ', which is not in the policy’s chain registry' : ''
    throw new TollgateError(
      'policy_asset_denied',
      `No \`${option}\` limit can value ${payment.asset.symbol} (${payment.asset.address}) on ${payment.network}${known}, so the payment is declined.`,
      { details: { option, network: payment.network, asset: payment.asset.address } },
    )
  }
  return applicable
}

function describePayment(input: PolicyQuote, registry: ChainRegistry): PolicyPayment {
  const requirements = input?.requirements
  if (
    typeof input?.url !== 'string' ||
    typeof requirements !== 'object' ||
    requirements === null ||
    typeof requirements.network !== 'string' ||
    typeof requirements.asset !== 'string' ||
    typeof requirements.scheme !== 'string' ||
    typeof requirements.payTo !== 'string' ||
    typeof input.asset !== 'object' ||
    input.asset === null
  ) {
    throw new TollgateError(
      'invalid_payment_requirements',
      'A policy quote needs a url, requirements { scheme, network, asset, amount, payTo } and an asset.',
    )
  }
  if (typeof input.amount !== 'bigint' || requirements.amount !== String(input.amount)) {
    throw new TollgateError(
      'invalid_payment_requirements',
      `The quoted amount ${quote(input.amount)} is not the requirements' amount ${quote(requirements.amount)}.`,
      { details: { amount: String(requirements.amount).slice(0, 80) } },
    )
  }
  const valued = registry.findAsset(requirements.network, requirements.asset)
  // Decimals come from the policy's registry; the client's description is only used for display.
  const asset = valued ?? input.asset
  return {
    url: input.url,
    network: requirements.network,
    asset,
    amount: input.amount,
    amountFormatted: formatAmount(input.amount, asset.decimals),
    ...(valued?.usdPegged ? { usd: formatAmount(input.amount, valued.decimals) } : {}),
    scheme: requirements.scheme,
    payTo: requirements.payTo,
  }
}

// An allowlist entry names the paid asset by its address, or by a symbol or "native" the registry resolves.
function namesAsset(reference: string, network: string, address: string, registry: ChainRegistry): boolean {
  if (sameAddress(network, reference, address)) return true
  const named = registry.findAsset(network, reference)
  return named !== undefined && sameAddress(network, named.address, address)
}

function sortedIndex<Item>(items: readonly Item[], at: number, time: (item: Item) => number): number {
  let index = items.length
  while (index > 0 && time(items[index - 1] as Item) > at) index--
  return index
}

function assetKey(network: string, address: string): string {
  return `${network}|${network.startsWith('eip155:') ? address.toLowerCase() : address}`
}

function positive(value: bigint): bigint {
  return value > 0n ? value : 0n
}

function windowText(windowMs: number | undefined): string {
  return windowMs === undefined ? '' : ` per ${windowMs / 1000} s`
}

function hostForMessage(url: string): string {
  try {
    return new URL(url).host
  } catch {
    // Only the host is ever quoted: paths and queries may carry keys.
    return '(not a URL)'
  }
}

function rateLimitRetryAfter(
  limit: PolicyRateLimit,
  times: readonly number[],
  used: number,
  at: number,
): number {
  // The slot that frees the soonest belongs to the oldest commit that must age out.
  const mustExpire = used - limit.payments
  const time = times[mustExpire]
  if (time === undefined) return limit.perSeconds
  return Math.max(1, Math.ceil((time + limit.perSeconds * 1000 - at) / 1000))
}

function windowMilliseconds(window: PolicyWindow | undefined): number | undefined {
  if (window === undefined || window === 'lifetime') return undefined
  if (typeof window !== 'object' || window === null) {
    throw new TollgateError(
      'config_invalid',
      `\`window\` must be 'lifetime' or { seconds }, got ${quote(window)}.`,
    )
  }
  assertIntegerOption('window.seconds', window.seconds, 1, MAX_SECONDS)
  return window.seconds * 1000
}

function validateRateLimit(rateLimit: PolicyRateLimit | undefined): PolicyRateLimit | undefined {
  if (rateLimit === undefined) return undefined
  assertIntegerOption('rateLimit.payments', rateLimit?.payments, 1, 1_000_000_000)
  assertIntegerOption('rateLimit.perSeconds', rateLimit.perSeconds, 1, MAX_SECONDS)
  return { payments: rateLimit.payments, perSeconds: rateLimit.perSeconds }
}

function expiryMilliseconds(
  options: Pick<CreateSpendingPolicyOptions, 'expiresAt' | 'expiresIn'>,
  createdAt: number,
): number | undefined {
  const candidates: number[] = []
  if (options.expiresAt !== undefined) {
    const milliseconds =
      options.expiresAt instanceof Date ? options.expiresAt.getTime() : Number(options.expiresAt) * 1000
    if (typeof options.expiresAt === 'string' || !Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new TollgateError(
        'config_invalid',
        `\`expiresAt\` must be unix seconds or a valid Date, got ${quote(String(options.expiresAt))}.`,
      )
    }
    candidates.push(milliseconds)
  }
  if (options.expiresIn !== undefined) {
    if (
      typeof options.expiresIn !== 'number' ||
      !Number.isFinite(options.expiresIn) ||
      options.expiresIn <= 0
    ) {
      throw new TollgateError(
        'config_invalid',
        `\`expiresIn\` must be a positive number of seconds, got ${quote(options.expiresIn)}.`,
      )
    }
    candidates.push(createdAt + options.expiresIn * 1000)
  }
  // Both given: the earlier one wins, since either alone would already stop payments.
  return candidates.length === 0 ? undefined : Math.min(...candidates)
}

function validateNetworks(networks: readonly string[] | undefined): Set<string> | undefined {
  if (networks === undefined) return undefined
  if (!Array.isArray(networks)) throw new TollgateError('config_invalid', '`networks` must be an array.')
  for (const network of networks) {
    if (!isNetwork(network)) {
      throw new TollgateError('config_invalid', `\`networks\` entry ${quote(network)} is not a CAIP-2 id.`)
    }
  }
  return new Set(networks)
}

function validateAssets(assets: readonly string[] | undefined): readonly string[] | undefined {
  if (assets === undefined) return undefined
  if (!Array.isArray(assets)) throw new TollgateError('config_invalid', '`assets` must be an array.')
  for (const asset of assets) {
    if (typeof asset !== 'string' || asset.length === 0 || asset.length > 128) {
      throw new TollgateError(
        'config_invalid',
        `\`assets\` entry ${quote(asset)} must be an address, mint, symbol or "native".`,
      )
    }
  }
  return [...assets]
}

type ReportInput = {
  budgets: readonly LimitLine[] | undefined
  committed: ReturnType<typeof createSpendTally>
  reserved: ReturnType<typeof createSpendTally>
}

function buildReport({ budgets, committed, reserved }: ReportInput): SpendingReport {
  const remainingOf = (index: number, line: LimitLine): bigint =>
    positive(line.limit - (committed.lines[index] ?? 0n) - (reserved.lines[index] ?? 0n))

  const rows = new Map<string, { asset: AssetInfo; valued: boolean }>()
  for (const [key, { asset, valued }] of committed.assets) rows.set(key, { asset, valued })
  for (const [key, { asset, valued }] of reserved.assets) if (!rows.has(key)) rows.set(key, { asset, valued })
  for (const line of budgets ?? []) {
    const asset = line.asset
    if (asset !== undefined) {
      const key = assetKey(asset.network, asset.address)
      if (!rows.has(key)) rows.set(key, { asset, valued: true })
    }
  }

  const assets: SpendingReportAsset[] = [...rows].map(([key, { asset, valued }]) => {
    const spentAtomic = committed.assets.get(key)?.amount ?? 0n
    const row: SpendingReportAsset = {
      network: asset.network,
      asset: asset.address,
      symbol: asset.symbol,
      spent: formatAmount(spentAtomic, asset.decimals),
      spentAtomic,
    }
    if (budgets === undefined) return row
    let remainingAtomic: bigint | undefined
    budgets.forEach((line, index) => {
      if (!valued || !line.applies(asset)) return
      const fits = rescaleAmount(remainingOf(index, line), line.decimals, asset.decimals, 'down')
      if (remainingAtomic === undefined || fits < remainingAtomic) remainingAtomic = fits
    })
    // No line can value this asset, so nothing more may be paid in it.
    const final = remainingAtomic ?? 0n
    return { ...row, remaining: formatAmount(final, asset.decimals), remainingAtomic: final }
  })

  const usdLines = (budgets ?? [])
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.kind === 'usd')
  const usdSpent = sumUsd(committed.assets.values())
  const usdReserved = sumUsd(reserved.assets.values())
  let usd: SpendingReport['usd']
  if (usdLines.length > 0 || usdSpent !== undefined) {
    usd = { spent: usdSpent ?? '0' }
    // The tightest dollar budget is the one that binds.
    const scale = Math.max(VALUE_DECIMALS, ...usdLines.map(({ line }) => line.decimals))
    let tightest: { line: LimitLine; remaining: bigint; scaled: bigint } | undefined
    for (const { line, index } of usdLines) {
      const remaining = remainingOf(index, line)
      const scaled = rescaleAmount(remaining, line.decimals, scale, 'down')
      if (tightest === undefined || scaled < tightest.scaled) tightest = { line, remaining, scaled }
    }
    if (tightest !== undefined) {
      usd.remaining = formatAmount(tightest.remaining, tightest.line.decimals)
      usd.limit = formatAmount(tightest.line.limit, tightest.line.decimals)
    }
  }

  return {
    payments: committed.payments,
    ...(usd === undefined ? {} : { usd }),
    assets,
    reserved: {
      payments: reserved.payments,
      ...(usdReserved === undefined ? {} : { usd: usdReserved }),
      assets: [...reserved.assets.values()].map(({ asset, amount }) => ({
        network: asset.network,
        asset: asset.address,
        symbol: asset.symbol,
        reserved: formatAmount(amount, asset.decimals),
        reservedAtomic: amount,
      })),
    },
  }
}

// Dollars across USD-pegged assets, summed exactly at the largest decimals involved.
function sumUsd(
  entries: Iterable<{ asset: AssetInfo; valued: boolean; amount: bigint }>,
): string | undefined {
  const pegged = [...entries].filter(({ asset, valued }) => valued && asset.usdPegged)
  if (pegged.length === 0) return undefined
  const scale = Math.max(0, ...pegged.map(({ asset }) => asset.decimals))
  const total = pegged.reduce(
    (sum, { asset, amount }) => sum + rescaleAmount(amount, asset.decimals, scale, 'up'),
    0n,
  )
  return formatAmount(total, scale)
}
