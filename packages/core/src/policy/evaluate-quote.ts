import { sameAddress } from '../chains/same-address.js'
import type { AssetInfo } from '../chains/types.js'
import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { LedgerCharge, LedgerLimit } from '../ledger/types.js'
import type { LimitLine } from './compile-limit.js'
import type { PolicyRuntime } from './compile-policy.js'
import type { PolicyPayment, PolicyQuote } from './types.js'

/** The ledger line every payment is counted on, whatever the policy's limits. @internal */
export const PAYMENTS_LINE = 'payments'

/** What {@link evaluateQuote} finds: what the payment is charged and the limits that bind it. @internal */
export type QuoteEvaluation = {
  /** The payment's value on each line: every applicable budget line, and one payment. */
  charges: LedgerCharge[]
  /** The rate limit first, then each applicable budget line. */
  limits: LedgerLimit[]
  /** Whether `reserve` asks the approval callback (before any `approvedUpTo`). */
  approvalRequired: boolean
}

/**
 * Runs the checks that need no ledger (expiry, domain, network, asset, per-call cap) and works
 * out what the payment is charged on each budget line and which limits the ledger must enforce.
 *
 * @example const { charges, limits } = evaluateQuote(runtime, quote, payment, Date.now())
 * @throws {TollgateError} `policy_wallet_expired`, `policy_denied_domain`, `policy_network_denied`,
 * `policy_asset_denied`, `policy_per_call_exceeded`
 * @internal
 */
export function evaluateQuote(
  runtime: PolicyRuntime,
  input: PolicyQuote,
  payment: PolicyPayment,
  at: number,
): QuoteEvaluation {
  const { requirements, amount } = input
  const valued = runtime.registry.findAsset(requirements.network, requirements.asset)
  assertAllowed(runtime, input, at)
  if (runtime.perCall !== undefined) {
    for (const line of applicableLines(runtime.perCall, valued, 'perCall', payment)) {
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
  const charges: LedgerCharge[] = [{ line: PAYMENTS_LINE, value: 1n }]
  const limits: LedgerLimit[] = []
  if (runtime.rateLimit !== undefined) {
    limits.push({
      line: PAYMENTS_LINE,
      limit: BigInt(runtime.rateLimit.payments),
      windowMs: runtime.rateLimit.perSeconds * 1000,
    })
  }
  if (runtime.budgets !== undefined) {
    for (const line of applicableLines(runtime.budgets, valued, 'budget', payment)) {
      if (!charges.some((charge) => charge.line === line.key)) {
        charges.push({ line: line.key, value: line.measure(valued as AssetInfo, amount) })
      }
      limits.push({
        line: line.key,
        limit: line.limit,
        ...(runtime.windowMs === undefined ? {} : { windowMs: runtime.windowMs }),
      })
    }
  }
  // A payment the threshold cannot value is treated as above it: unknown means ask.
  const approvalLine = runtime.approvalLine
  const approvalRequired =
    approvalLine !== undefined &&
    (valued === undefined ||
      !approvalLine.applies(valued) ||
      approvalLine.measure(valued, amount) > approvalLine.limit)
  return { charges, limits, approvalRequired }
}

function assertAllowed(runtime: PolicyRuntime, input: PolicyQuote, at: number): void {
  const { network, asset } = input.requirements
  const { expiresAtMs } = runtime
  if (expiresAtMs !== undefined && at >= expiresAtMs) {
    throw new TollgateError(
      'policy_wallet_expired',
      `The spending policy expired at ${new Date(expiresAtMs).toISOString()}; it declines every payment.`,
      { details: { expiresAt: Math.floor(expiresAtMs / 1000) } },
    )
  }
  if (runtime.domainAllowed !== undefined && !runtime.domainAllowed(input.url)) {
    const host = hostForMessage(input.url)
    throw new TollgateError('policy_denied_domain', `Host ${quote(host)} is not in \`allowedDomains\`.`, {
      details: { host },
    })
  }
  if (runtime.networks !== undefined && !runtime.networks.has(network)) {
    throw new TollgateError('policy_network_denied', `Network ${quote(network)} is not in \`networks\`.`, {
      details: { network },
    })
  }
  if (
    runtime.assets !== undefined &&
    !runtime.assets.some((reference) => namesAsset(runtime, reference, network, asset))
  ) {
    throw new TollgateError(
      'policy_asset_denied',
      `Asset ${quote(asset)} on ${network} is not in \`assets\`.`,
      {
        details: { network, asset },
      },
    )
  }
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

// An allowlist entry names the paid asset by its address, or by a symbol or "native" the registry resolves.
function namesAsset(runtime: PolicyRuntime, reference: string, network: string, address: string): boolean {
  if (sameAddress(network, reference, address)) return true
  const named = runtime.registry.findAsset(network, reference)
  return named !== undefined && sameAddress(network, named.address, address)
}

function hostForMessage(url: string): string {
  try {
    return new URL(url).host
  } catch {
    // Only the host is ever quoted: paths and queries may carry keys.
    return '(not a URL)'
  }
}
