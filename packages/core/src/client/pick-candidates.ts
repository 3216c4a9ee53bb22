import { formatAmount } from '../amount/format-amount.js'
import { TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import { compileLimit } from '../policy/compile-limit.js'
import type { Money } from '../policy/types.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { type Candidate, chooseRequirements } from './choose-requirements.js'
import type { ClientRuntime } from './client-runtime.js'
import { exactForMpp, MPP_SCHEME } from './mpp-offer.js'

/** An offered option the client will not pay, and why. @internal */
export type SkippedOption = {
  /** `scheme:network:asset:amount` of the offer. */
  offer: string
  /**
   * `scheme_unsupported`, `no_wallet`, `asset_unknown`, `amount_invalid`, `zero_price`,
   * `challenge_missing`, `not_preferred`, `above_max_amount`, the policy's `policy_*` code, or for an
   * MPP challenge (offer `mpp:…`) `eip712_domain_unknown`, `decimals_mismatch`,
   * `mpp_challenge_expired`, `mpp_method_unsupported` or `mpp_challenge_malformed`.
   */
  reason: string
}

// Seconds an MPP challenge must still be valid for: an authorization expiring sooner may not settle.
const MIN_MPP_SECONDS = 10

// Which option of the built-in policy refuses a payment, so the error says what raises it.
const DEFAULT_OPTION: Readonly<Record<string, string>> = {
  policy_per_call_exceeded: 'policy.perCall',
  policy_budget_exceeded: 'policy.budget',
  policy_asset_denied: 'policy.budget',
}

/**
 * The offers the client would pay, best first, each allowed by the policy right now. Refuses
 * before paying what cannot be right: a zero price, a `tx` offer without a challenge.
 * @example const [best, ...fallbacks] = pickCandidates(runtime, accepts, url, {})
 * @throws {TollgateError} `price_above_limit`, the policy's `policy_*` refusal, `no_payable_option`
 * listing every offer and why it was skipped
 * @internal
 */
export async function pickCandidates(
  runtime: ClientRuntime,
  accepts: readonly PaymentRequirements[],
  url: string,
  limits: { maxAmount?: Money | undefined; approvedUpTo?: Money | undefined },
  unread: readonly SkippedOption[] = [],
): Promise<Candidate[]> {
  const { maxAmount, approvedUpTo } = limits
  const ordered = chooseRequirements(
    accepts,
    runtime.options.wallets,
    runtime.registry,
    runtime.options.preferences,
  )
  const reasons = new Map<number, string>()
  for (const [index, requirements] of accepts.entries())
    reasons.set(index, unpayableReason(runtime, requirements))
  const ceiling =
    maxAmount === undefined
      ? undefined
      : compileLimit(maxAmount, { registry: runtime.registry, option: 'maxAmount' })
  const payable: Candidate[] = []
  for (const candidate of ordered) {
    const reason = offerProblem(candidate)
    reasons.set(candidate.index, reason ?? 'not_preferred')
    if (reason === undefined) payable.push(candidate)
  }
  const withinCeiling = payable.filter(
    (candidate) =>
      ceiling === undefined ||
      (ceiling.applies(candidate.asset) &&
        ceiling.measure(candidate.asset, candidate.amount) <= ceiling.limit),
  )
  const cheapest = payable[0]
  if (withinCeiling.length === 0 && cheapest !== undefined && ceiling !== undefined) {
    const display = `${formatAmount(cheapest.amount, cheapest.asset.decimals)} ${cheapest.asset.symbol}`
    throw new TollgateError(
      'price_above_limit',
      `The service asks for ${display}, more than the ${ceiling.label} this request may cost; nothing was paid.`,
      { details: { url, limit: ceiling.label, amount: display } },
    )
  }
  const allowed: Candidate[] = []
  let firstRefusal: TollgateError | undefined
  for (const candidate of withinCeiling) {
    try {
      await runtime.policy.check(
        { url, requirements: candidate.requirements, asset: candidate.asset, amount: candidate.amount },
        approvedUpTo === undefined ? {} : { approvedUpTo },
      )
      allowed.push(candidate)
      reasons.delete(candidate.index)
    } catch (error) {
      const refusal = toTollgateError(error)
      reasons.set(candidate.index, refusal.code)
      firstRefusal ??= refusal
    }
  }
  if (allowed.length > 0) return allowed
  if (firstRefusal !== undefined) throw namingDefaultOption(runtime, firstRefusal)
  const skipped: SkippedOption[] = [
    ...accepts.map((requirements, index) => ({
      offer: `${requirements.scheme}:${requirements.network}:${requirements.asset}:${requirements.amount}`,
      reason: reasons.get(index) ?? 'not_preferred',
    })),
    ...unread,
  ]
  throw new TollgateError(
    'no_payable_option',
    `None of the offered payment options can be paid by this client (${
      skipped
        .map((entry) => `${entry.offer}: ${entry.reason}`)
        .join('; ')
        .slice(0, 600) || 'nothing was offered'
    }).`,
    { details: { url, offered: skipped.map((entry) => entry.offer), skipped } },
  )
}

function unpayableReason(runtime: ClientRuntime, requirements: PaymentRequirements): string {
  if (requirements.scheme === MPP_SCHEME) {
    const asset = runtime.registry.findAsset(requirements.network, requirements.asset)
    if (asset === undefined) return 'asset_unknown'
    const signed = exactForMpp(requirements, asset)
    if (signed === undefined) return 'eip712_domain_unknown'
    if (!runtime.options.wallets.some((wallet) => wallet.supports(signed))) return 'no_wallet'
    return 'amount_invalid'
  }
  if (requirements.scheme !== 'tx' && requirements.scheme !== 'exact') return 'scheme_unsupported'
  if (!runtime.options.wallets.some((wallet) => wallet.supports(requirements))) return 'no_wallet'
  if (runtime.registry.findAsset(requirements.network, requirements.asset) === undefined)
    return 'asset_unknown'
  return 'amount_invalid'
}

function offerProblem(candidate: Candidate): string | undefined {
  const { requirements } = candidate
  if (requirements.scheme === MPP_SCHEME) return mppProblem(candidate)
  if (requirements.scheme !== 'tx' && requirements.scheme !== 'exact') return 'scheme_unsupported'
  // A zero price is never paid: it would burn gas (tx) or sign for nothing.
  if (candidate.amount === 0n) return 'zero_price'
  // Without a challenge a transfer can never be proven: refused before any money moves.
  if (requirements.scheme === 'tx' && typeof requirements.extra.challenge !== 'string')
    return 'challenge_missing'
  return undefined
}

// An MPP challenge the client answers with an authorization valid until its `expires`.
function mppProblem(candidate: Candidate): string | undefined {
  const { requirements, asset } = candidate
  if (candidate.amount === 0n) return 'zero_price'
  // The server's decimals are never used; a server that disagrees with the registry is not paid.
  const decimals = requirements.extra.decimals
  if (decimals !== undefined && decimals !== asset.decimals) return 'decimals_mismatch'
  // A settlement needs time before the authorization lapses at the challenge's expiry.
  if (requirements.maxTimeoutSeconds < MIN_MPP_SECONDS) return 'mpp_challenge_expired'
  return undefined
}

function namingDefaultOption(runtime: ClientRuntime, refusal: TollgateError): TollgateError {
  const option = DEFAULT_OPTION[refusal.code]
  if (!runtime.defaultPolicy || option === undefined) return refusal
  return new TollgateError(
    refusal.code,
    `${refusal.message.replace(/\.$/, '')}: the client has no policy, so the default (at most $0.10 a call and $1 in total, USD-pegged assets only) applies; set \`${option}\` to raise it.`,
    { cause: refusal, details: { ...refusal.details, option } },
  )
}
